import type { IncomingMessage, ServerResponse } from 'node:http';

const ALLOWED_METHODS = 'GET, POST';
const ALLOWED_HEADERS = 'authorization, content-type, trpc-accept, last-event-id, x-trpc-source';
/** Chromium caps a cached preflight at two hours; asking for more changes nothing. */
const PREFLIGHT_MAX_AGE_SECONDS = 7200;

/** Why `entry` is not an exact http(s) origin such as `https://app.example.com`, or null when it is one. */
export function originProblem(entry: string): string | null {
  if (entry === '*') {
    return '"*" is not allowed: list each origin (credentials are allowed, so a wildcard would let any site act as the user)';
  }
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    return `"${entry}" is not a URL: write an origin such as https://app.example.com`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `"${entry}" is not an http or https origin`;
  // Browsers send Origin in exactly this form, and entries are compared as strings.
  if (url.origin !== entry) {
    return `"${entry}" is not an origin as browsers send it (lower case, no path, trailing slash or default port): ${url.origin}`;
  }
  return null;
}

/** Whether `origin` names the server the request was sent to, by its Host header, over http or https. */
export function isSameOrigin(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  try {
    const from = new URL(origin);
    if (from.protocol !== 'http:' && from.protocol !== 'https:') return false;
    return from.host === new URL(`${from.protocol}//${host}`).host;
  } catch {
    return false;
  }
}

/**
 * Which browser origins may call the API: the server's own, and those listed (never `*`). Listed origins
 * get CORS with credentials; a state-changing request from any other site is refused, because a session
 * cookie would otherwise make it act as the signed-in user.
 */
export class OriginPolicy {
  private readonly allowed: ReadonlySet<string>;

  constructor(allowedOrigins: readonly string[]) {
    for (const origin of allowedOrigins) {
      const problem = originProblem(origin);
      if (problem) throw new RangeError(`allowed origin ${problem}`);
    }
    this.allowed = new Set(allowedOrigins);
  }

  /** Whether responses differ by Origin at all (only when some origin gets CORS headers). */
  get variesByOrigin(): boolean {
    return this.allowed.size > 0;
  }

  /** Sets the CORS headers for a listed Origin; answers a preflight (true: the response is sent). */
  applyCors(req: IncomingMessage, res: ServerResponse): boolean {
    const origin = req.headers.origin;
    const listed = origin !== undefined && this.allowed.has(origin);
    if (this.variesByOrigin) res.setHeader('vary', 'origin');
    if (listed) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-allow-credentials', 'true');
    }
    const preflight =
      req.method === 'OPTIONS' && origin !== undefined && 'access-control-request-method' in req.headers;
    if (!preflight) return false;
    if (!listed) {
      res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`origin ${origin} is not allowed (CORS_ORIGINS)\n`);
      return true;
    }
    res.writeHead(204, {
      'access-control-allow-methods': ALLOWED_METHODS,
      'access-control-allow-headers': ALLOWED_HEADERS,
      'access-control-max-age': String(PREFLIGHT_MAX_AGE_SECONDS),
    });
    res.end();
    return true;
  }

  /** The Origin of a state-changing request from a site that is neither this server nor listed, else null. */
  foreignOrigin(req: IncomingMessage): string | null {
    const origin = req.headers.origin;
    if (origin === undefined || req.method === 'GET' || req.method === 'HEAD') return null;
    if (this.allowed.has(origin) || isSameOrigin(origin, req.headers.host)) return null;
    return origin;
  }
}
