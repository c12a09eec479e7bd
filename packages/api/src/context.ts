import { randomBytes } from 'node:crypto';
import type { EventBus } from '@threadcast/bus';
import type { Logger } from '@threadcast/common';
import type { RateLimiter, RunQueue, RunStore, ThreadStore } from '@threadcast/store';
import { readSessionCookie } from './auth/session-cookie.ts';
import type { TokenService, User } from './auth/token-service.ts';
import { type ApiLimits, DEFAULT_LIMITS, StreamSlots } from './limits.ts';
import { noStreamMetrics, type StreamMetrics } from './streams/observed-stream.ts';
import { StreamGate } from './streams/stream-gate.ts';

/** What the procedures need from the process that hosts them. */
export interface ApiDeps {
  bus: EventBus;
  threads: ThreadStore;
  runs: RunStore;
  queue: RunQueue;
  limiter: RateLimiter;
  tokens: TokenService;
  logger: Logger;
  /** Whether `auth.devLogin` may mint tokens (development and the embedded default). */
  devLoginEnabled: boolean;
  /** Limits that differ from `DEFAULT_LIMITS`. */
  limits?: Partial<ApiLimits>;
  /** Counts what the event streams do (default: nothing). */
  metrics?: StreamMetrics;
  /** Admission of streams, driven by the host's lifecycle (draining, backend down); default: always open. */
  gate?: StreamGate;
}

/** Who a request runs as, and until when its token holds. */
export interface Session {
  user: User;
  /** When the token expires, in ms since the epoch: a stream ends there. */
  expiresAt: number;
  /** Where the token came from: a browser's session cookie, or an `Authorization` header. */
  via: 'cookie' | 'bearer';
  token: string;
}

/** What every request of a process shares: its engines, stores and settings. */
export interface ApiServices extends Omit<ApiDeps, 'limits' | 'metrics' | 'gate'> {
  metrics: StreamMetrics;
  limits: ApiLimits;
  streams: StreamSlots;
  gate: StreamGate;
}

export interface Context {
  /**
   * The process's services, one object shared by every request. One property rather than each of them in the
   * context: tRPC copies the context key by key at every middleware that extends it, for every request.
   */
  services: ApiServices;
  /** Names this request in log lines: a proxy's `X-Request-Id` when it is a plain short token, else a random one. */
  requestId: string;
  session: Session | null;
  /** Why there is no session, in words safe to show the client (`null` when there is one or no token was sent). */
  authFailure: string | null;
  /** True when the token could not be checked for a reason of ours (the key set was unreachable). */
  authUnavailable: boolean;
  /** Whether the request came over HTTPS: session cookies are `Secure` then. */
  secure: boolean;
  /** Adds a `Set-Cookie` header to the response (a no-op where there is no response, e.g. in tests). */
  setCookie(cookie: string): void;
}

/** The parts of a request the context reads, whatever adapter carries it. */
export interface ContextRequest {
  req: { headers: Record<string, string | string[] | undefined> };
  res?: { appendHeader(name: string, value: string): unknown } | null;
  info?: { connectionParams: Record<string, string | undefined> | null } | null;
  /** Whether the client reached the host over HTTPS, as the host decides it (TLS, or a trusted proxy). */
  secure?: boolean;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

function requestIdOf(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && REQUEST_ID.test(value) ? value : randomBytes(8).toString('hex');
}

function bearerToken(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value ? /^Bearer\s+(\S+)$/i.exec(value) : null;
  return match?.[1] ?? null;
}

const TOKEN_IN_URL =
  'tokens in the URL are refused: send Authorization: Bearer, or sign in for a session cookie (auth.startSession)';

/**
 * Returned anonymous on purpose: tsx compiles with esbuild's keepNames, which gives every function it names
 * its own property array, about 256 bytes for each open stream.
 */
function cookieSetter(res: ContextRequest['res']): (cookie: string) => void {
  return (cookie) => {
    res?.appendHeader('set-cookie', cookie);
  };
}

/**
 * Builds each request's context. The token comes from `Authorization: Bearer` (any client) or else the
 * HttpOnly session cookie (browsers). A token in tRPC `connectionParams` would travel in the URL and end
 * up in access logs, so it is refused rather than read.
 */
export function createContextFactory(deps: ApiDeps) {
  const limits: ApiLimits = { ...DEFAULT_LIMITS, ...deps.limits };
  const services: ApiServices = {
    ...deps,
    metrics: deps.metrics ?? noStreamMetrics,
    limits,
    streams: new StreamSlots(limits),
    gate: deps.gate ?? new StreamGate(),
  };
  return async ({ req, res, info, secure }: ContextRequest): Promise<Context> => {
    const base = {
      services,
      requestId: requestIdOf(req.headers['x-request-id']),
      secure: secure ?? false,
      setCookie: cookieSetter(res),
    };
    const bearer = bearerToken(req.headers.authorization);
    const cookie = bearer ? null : readSessionCookie(req.headers);
    const token = bearer ?? cookie;
    if (!token) {
      const failure = info?.connectionParams?.token ? TOKEN_IN_URL : null;
      return { ...base, session: null, authFailure: failure, authUnavailable: false };
    }
    try {
      const verified = await deps.tokens.verify(token);
      const via = bearer ? 'bearer' : 'cookie';
      if (!verified.ok) {
        deps.logger.debug({ requestId: base.requestId, via, reason: verified.reason }, 'token refused');
        return { ...base, session: null, authFailure: verified.message, authUnavailable: false };
      }
      const session: Session = { user: verified.user, expiresAt: verified.expiresAt, via, token };
      return { ...base, session, authFailure: null, authUnavailable: false };
    } catch (error) {
      deps.logger.error({ err: error, requestId: base.requestId }, 'could not verify a token');
      return { ...base, session: null, authFailure: null, authUnavailable: true };
    }
  };
}
