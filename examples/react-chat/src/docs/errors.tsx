import type { ThreadcastRouter } from '@threadcast/client';
import type { UseThreadResult } from '@threadcast/react';
import { TRPCClientError } from '@trpc/client';

/** Where the live stream stands, in words a user can act on. */
export function ConnectionNotice({ connection, notLive }: Pick<UseThreadResult, 'connection' | 'notLive'>) {
  if (!notLive) return null; // connection === 'live'
  switch (notLive.reason) {
    case 'connecting':
      return <p role="status">{connection === 'reconnecting' ? 'Reconnecting…' : 'Connecting…'}</p>;
    case 'offline':
      return <p role="status">Offline: the reply resumes where it stopped once you are back.</p>;
    case 'too-many-requests':
      return <p role="status">Too many open streams: retrying.</p>;
    case 'unauthorized':
      return <p role="alert">Your session has ended: sign in again.</p>;
    case 'forbidden':
    case 'not-found':
      return <p role="alert">This thread does not exist, or is not yours.</p>;
    case 'error':
      return <p role="status">Connection lost ({notLive.message}): retrying.</p>;
  }
}

/** What went wrong, by what failed: a request (`send`, `stop`, `regenerate`), loading the thread, or the run. */
export function ErrorNotice({ error, clearError }: Pick<UseThreadResult, 'error' | 'clearError'>) {
  if (!error) return null;
  const what = { request: 'Not sent', load: 'Could not load the thread', run: 'The run failed' }[error.kind];
  const hint = error.code === 'TOO_MANY_REQUESTS' ? ' Wait a minute and try again.' : '';
  return (
    <p role="alert">
      {what}: {error.message}.{hint}{' '}
      <button type="button" onClick={clearError}>
        Dismiss
      </button>
    </p>
  );
}

/** The tRPC code of an error thrown by a plain call (`client.trpc.run.start.mutate(...)`), or null. */
export function errorCode(error: unknown) {
  return error instanceof TRPCClientError ? ((error as TRPCClientError<ThreadcastRouter>).data?.code ?? null) : null;
}
