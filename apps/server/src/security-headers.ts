import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The web app's policy. The Vite build is one external module script and one stylesheet, with no inline
 * script or style (React sets `style` props through the CSSOM, which CSP does not govern); it talks only
 * to its own origin (`/trpc`, EventSource included).
 */
export const WEB_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** API and health responses are data, never a document: nothing may load from them or frame them. */
const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";

const HSTS = 'max-age=31536000';

export interface SecurityHeaderOptions {
  /** Believe `X-Forwarded-Proto` (set TRUST_PROXY=1 only behind a proxy that sets it). */
  trustProxy: boolean;
}

/**
 * Whether the client reached us over HTTPS: on a TLS socket, or through a trusted proxy whose
 * `X-Forwarded-Proto` (its first entry, written by the proxy the client connected to) says so.
 */
export function isHttps(req: IncomingMessage, options: SecurityHeaderOptions): boolean {
  if ('encrypted' in req.socket && req.socket.encrypted === true) return true;
  if (!options.trustProxy) return false;
  return req.headers['x-forwarded-proto']?.toString().split(',', 1)[0]?.trim().toLowerCase() === 'https';
}

function setCommon(req: IncomingMessage, res: ServerResponse, options: SecurityHeaderOptions): void {
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  // HSTS is ignored over plain http.
  if (isHttps(req, options)) res.setHeader('strict-transport-security', HSTS);
}

/** Headers for every response of the web app. */
export function setWebHeaders(req: IncomingMessage, res: ServerResponse, options: SecurityHeaderOptions): void {
  setCommon(req, res, options);
  res.setHeader('content-security-policy', WEB_CONTENT_SECURITY_POLICY);
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('cross-origin-opener-policy', 'same-origin');
}

const API_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy': API_CONTENT_SECURITY_POLICY,
  'cache-control': 'no-store',
} as const;
const HTTPS_API_HEADERS = { ...API_HEADERS, 'strict-transport-security': HSTS } as const;

/**
 * Headers for API and health responses, as one object to hand to `writeHead`; the same object for every
 * request over the same scheme.
 */
export function apiHeaders(req: IncomingMessage, options: SecurityHeaderOptions): Readonly<Record<string, string>> {
  return isHttps(req, options) ? HTTPS_API_HEADERS : API_HEADERS;
}

/** Headers for API and health responses; tRPC replaces `cache-control` where it sets its own (SSE). */
export function setApiHeaders(req: IncomingMessage, res: ServerResponse, options: SecurityHeaderOptions): void {
  for (const [name, value] of Object.entries(apiHeaders(req, options))) res.setHeader(name, value);
}
