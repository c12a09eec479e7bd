import { createStreamingClient } from '@threadcast/client';

/**
 * One typed client of the threadcast server for the whole app. Same origin (vite proxies /trpc), so the session
 * cookie set by `auth.devLogin` carries the user on every request and stream; no token is kept by the page.
 */
export const threadcast = createStreamingClient({ url: '/trpc' });
