/** Calls a tRPC mutation over plain HTTP (`POST /trpc/<path>`), the way a script would. */
export async function callMutation<T>(baseUrl: string, path: string, input: unknown, token?: string): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(new URL(`/trpc/${path}`, baseUrl), {
    method: 'POST',
    headers,
    body: JSON.stringify(input),
  });
  const body = (await response.json()) as { result?: { data?: T }; error?: unknown };
  if (!response.ok || body.result?.data === undefined) {
    throw new Error(`${path} answered ${response.status}: ${JSON.stringify(body.error ?? body).slice(0, 300)}`);
  }
  return body.result.data;
}
