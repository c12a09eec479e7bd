/** The live stream's connection. `reconnecting` means it had been live and is resuming from its last event. */
export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline';

/**
 * Why the stream is not live: still `connecting`; refused because the user has too many streams open
 * (`too-many-requests`, retried with backoff) or is not signed in (`unauthorized`) or may not see the thread
 * (`forbidden`, `not-found`); the browser is `offline`; or another `error` (retried with backoff).
 */
export type NotLiveReason =
  | 'connecting'
  | 'too-many-requests'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'offline'
  | 'error';

export interface NotLive {
  reason: NotLiveReason;
  message: string;
}

/** The status of tRPC's `useSubscription`. */
export type SubscriptionStatus = 'idle' | 'connecting' | 'pending' | 'error';

export function connectionState(status: SubscriptionStatus, hadData: boolean): ConnectionState {
  switch (status) {
    case 'pending':
      return 'live';
    case 'connecting':
      return hadData ? 'reconnecting' : 'connecting';
    default:
      return 'offline';
  }
}

const REASONS: Record<string, NotLiveReason> = {
  TOO_MANY_REQUESTS: 'too-many-requests',
  UNAUTHORIZED: 'unauthorized',
  FORBIDDEN: 'forbidden',
  NOT_FOUND: 'not-found',
};

/** The tRPC error code an error carries (`TRPCClientError`'s `data.code`), if any. */
export function errorCode(error: unknown): string | null {
  if (typeof error !== 'object' || error === null || !('data' in error)) return null;
  const { data } = error as { data?: { code?: unknown } | null };
  return typeof data?.code === 'string' ? data.code : null;
}

/** Why a stream with this connection state and last error is not live, or null when it is. */
export function notLive(connection: ConnectionState, error: unknown, online: boolean): NotLive | null {
  if (connection === 'live') return null;
  if (!online) return { reason: 'offline', message: 'the browser is offline; the stream resumes when it is back' };
  if (error === null || error === undefined) {
    return connection === 'offline'
      ? { reason: 'offline', message: 'not connected' }
      : { reason: 'connecting', message: 'connecting' };
  }
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  const reason = code === null ? 'offline' : (REASONS[code] ?? 'error');
  return { reason, message };
}
