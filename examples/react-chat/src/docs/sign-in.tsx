import { createLinks, type ThreadcastRouter } from '@threadcast/client';
import { threadcast } from '@threadcast/react';
import { createTRPCClient } from '@trpc/client';
import type { ReactNode } from 'react';

/**
 * Production: trade your identity provider's token for threadcast's HttpOnly session cookie, once per sign-in (and
 * again with a fresh token to extend it). The page keeps no token: every later request and stream rides on the cookie.
 */
export async function startSession(idToken: string) {
  const withToken = createTRPCClient<ThreadcastRouter>({
    links: createLinks({ url: '/trpc', getToken: () => idToken }),
  });
  return withToken.auth.startSession.mutate();
}

/** Shows its children to a signed-in user; otherwise a development sign-in (dev mode, or AUTH_DEV_LOGIN=1). */
export function SignedIn({ children }: { children: ReactNode }) {
  const session = threadcast.auth.session.useQuery(undefined, { retry: false });
  const devLogin = threadcast.auth.devLogin.useMutation({ onSuccess: () => void session.refetch() });
  if (session.isLoading) return <p>Loading…</p>;
  if (session.data) return children;
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        const name = new FormData(event.currentTarget).get('name');
        devLogin.mutate({ name: String(name) });
      }}
    >
      <input name="name" aria-label="Name" />
      <button type="submit">Sign in</button>
      {devLogin.error && <p role="alert">{devLogin.error.message}</p>}
    </form>
  );
}
