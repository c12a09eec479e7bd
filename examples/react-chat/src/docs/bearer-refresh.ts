import { createStreamingClient } from '@threadcast/client';
import { EventSource } from 'eventsource';

/** A token and when it expires (ms since epoch), as your identity provider (or `auth.devLogin`) gives them. */
export interface Grant {
  token: string;
  expiresAt: number;
}

/** A client for a long-lived service: it refreshes its token before it expires, and when a stream says it has. */
export function createServiceClient(url: string, signIn: () => Promise<Grant>) {
  let grant: Promise<Grant> | null = null;
  const refresh = () => {
    grant = signIn();
    return grant;
  };
  return createStreamingClient({
    url,
    EventSource,
    // Asked before every request and every stream (re)connect, so a refreshed token is used from then on.
    getToken: async () => {
      const current = await (grant ?? refresh());
      return current.expiresAt - Date.now() > 60_000 ? current.token : (await refresh()).token;
    },
    // A stream whose token expired ends with UNAUTHORIZED: refresh, then `true` resumes it from its last event.
    onUnauthorized: async () => {
      await refresh();
      return true;
    },
  });
}
