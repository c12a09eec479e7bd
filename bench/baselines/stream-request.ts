const THREAD_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The thread a baseline's stream request asks for: `GET /trpc/thread.onEvent?input=<JSON {threadId}>`, the URL shape
 * of threadcast's own, or null for anything else.
 */
export function requestedThread(requestUrl: string | undefined): string | null {
  const url = new URL(requestUrl ?? '/', 'http://localhost');
  if (url.pathname !== '/trpc/thread.onEvent') return null;
  try {
    const input = JSON.parse(url.searchParams.get('input') ?? '') as { threadId?: unknown };
    return typeof input.threadId === 'string' && THREAD_ID.test(input.threadId) ? input.threadId : null;
  } catch {
    return null;
  }
}
