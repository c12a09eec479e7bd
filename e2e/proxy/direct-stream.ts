/** A thread's stream read straight from one server, bypassing nginx: what the servers have sent so far. */
export interface DirectStream {
  /** Token events received. */
  readonly tokens: number;
  /** Whether the run's `done` event arrived. */
  readonly done: boolean;
  close(): void;
}

/**
 * Opens `thread.onEvent` on `serverUrl` with the session cookie and counts its events as they come;
 * resolves once the server has sent `connected` (the subscription is in place).
 */
export async function followDirectly(
  serverUrl: string,
  threadId: string,
  sessionCookie: string,
): Promise<DirectStream> {
  const abort = new AbortController();
  const url = `${serverUrl}/trpc/thread.onEvent?input=${encodeURIComponent(JSON.stringify({ threadId }))}`;
  const response = await fetch(url, {
    headers: { accept: 'text/event-stream', cookie: sessionCookie },
    signal: abort.signal,
  });
  if (!response.ok || !response.body) throw new Error(`the direct stream answered ${response.status}`);
  const state = { tokens: 0, done: false };
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let connected: () => void = () => {};
  const whenConnected = new Promise<void>((resolve) => {
    connected = resolve;
  });

  const onFrame = (frame: string) => {
    const lines = frame.split('\n');
    const event = lines.find((line) => line.startsWith('event: '))?.slice('event: '.length);
    if (event === 'connected') connected();
    if (event !== undefined) return;
    const data = lines.find((line) => line.startsWith('data: '))?.slice('data: '.length);
    if (data === undefined) return;
    const { type } = JSON.parse(data) as { type: string };
    if (type === 'token') state.tokens += 1;
    if (type === 'done') state.done = true;
  };
  const pump = async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        onFrame(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  };
  const pumping = pump().catch((error: unknown) => {
    if (!abort.signal.aborted) throw error;
  });
  await Promise.race([whenConnected, pumping.then(() => Promise.reject(new Error('the direct stream ended early')))]);
  return {
    get tokens() {
      return state.tokens;
    },
    get done() {
      return state.done;
    },
    close: () => abort.abort(),
  };
}
