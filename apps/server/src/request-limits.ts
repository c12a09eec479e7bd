import type { IncomingMessage, ServerResponse } from 'node:http';
import { type TRPC_ERROR_CODE_KEY, TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';

/** How big a request to `/trpc` may be. Each is an env variable of the server (in parentheses). */
export interface RequestLimits {
  /** Bytes of a request body (BODY_MAX_BYTES). */
  bodyMaxBytes: number;
  /** Bytes of the request target, path and query: queries and streams carry their input there (URL_MAX_BYTES). */
  urlMaxBytes: number;
}

export const DEFAULT_REQUEST_LIMITS: RequestLimits = { bodyMaxBytes: 1_048_576, urlMaxBytes: 16_384 };

/**
 * Node refuses a request whose head (request line and headers) is over `maxHeaderSize` before any handler
 * sees it, with a bare 431. Leaving room for ordinary headers beyond the URL limit lets the URL check
 * answer instead, naming its limit.
 */
export function maxHeaderSize(limits: RequestLimits): number {
  return limits.urlMaxBytes + 16_384;
}

/** Sends an error in tRPC's shape, so tRPC clients surface it like one of their own. */
export function sendTRPCError(res: ServerResponse, httpStatus: number, code: TRPC_ERROR_CODE_KEY, message: string) {
  const body = { error: { message, code: TRPC_ERROR_CODES_BY_KEY[code], data: { code, httpStatus } } };
  res.writeHead(httpStatus, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/**
 * Refuses a request over a limit before tRPC reads it (true: the response is sent). A body without a
 * Content-Length is counted as it arrives by tRPC's own `maxBodySize`, set to the same limit.
 */
export function refuseOversizedRequest(req: IncomingMessage, res: ServerResponse, limits: RequestLimits): boolean {
  const refusal = oversizedRequest(req, limits);
  if (refusal) sendTRPCError(res, refusal.httpStatus, 'PAYLOAD_TOO_LARGE', refusal.message);
  return refusal !== null;
}

/** Why a request is over a limit (and its HTTP status), or null when it is within them. */
export function oversizedRequest(
  req: IncomingMessage,
  limits: RequestLimits,
): { httpStatus: number; message: string } | null {
  const urlBytes = Buffer.byteLength(req.url ?? '');
  if (urlBytes > limits.urlMaxBytes) {
    return {
      httpStatus: 414,
      message: `request URL is ${urlBytes} bytes; the limit (URL_MAX_BYTES) is ${limits.urlMaxBytes}`,
    };
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limits.bodyMaxBytes) {
    return {
      httpStatus: 413,
      message: `request body is ${declared} bytes; the limit (BODY_MAX_BYTES) is ${limits.bodyMaxBytes}`,
    };
  }
  return null;
}
