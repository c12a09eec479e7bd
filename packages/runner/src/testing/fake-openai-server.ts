import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fake server answers to one request, in the order the requests arrive. */
export type FakeReply =
  | {
      /** Content tokens, each sent as one `chat.completion.chunk`. */
      tokens: string[];
      /**
       * After the tokens: `finish` sends a `stop` chunk and `[DONE]`; `hang` keeps the stream open (the test
       * cuts or aborts it); `malformed` sends a line that is not JSON; `error` sends an error object, as the
       * API does when it fails mid-stream; `close` ends the response cleanly without finishing the reply.
       * Default `finish`.
       */
      ending?: 'finish' | 'hang' | 'malformed' | 'error' | 'close';
    }
  | {
      /**
       * The stream as it is sent: an object becomes one `data:` event of its JSON, a string is written
       * unchanged (`data: [DONE]\n\n`, a line that is not JSON, an `event:` line).
       */
      chunks: Array<object | string>;
      /** Default 200. */
      status?: number;
      headers?: Record<string, string>;
      /**
       * After the chunks: `end` ends the response; `hang` keeps it open (the test aborts it); `cut` destroys
       * the connection, as a proxy or a crashed server would. Default `end`.
       */
      ending?: 'end' | 'hang' | 'cut';
    }
  | {
      status: number;
      message?: string;
      headers?: Record<string, string>;
      /** Send the headers but never the body, as a stalled error response would. */
      holdBody?: boolean;
    };

export interface FakeRequest {
  headers: IncomingHttpHeaders;
  body: unknown;
  /** Resolves when the connection carrying this request closes or its response ends. */
  closed: Promise<void>;
  /** Destroys the connection: the client sees the stream cut mid-reply. */
  cut(): void;
}

export interface FakeOpenAIServer extends AsyncDisposable {
  /** Base URL to give the SDK, ending in `/v1`. */
  baseURL: string;
  /** Resolves with the `index`-th request (0-based) once it has arrived with its body. */
  request(index: number): Promise<FakeRequest>;
  /** Requests received so far. */
  readonly requestCount: number;
}

const chunk = (delta: Record<string, string>, finishReason: string | null = null) =>
  `data: ${JSON.stringify({
    id: 'chatcmpl-fake',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'fake-model',
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  })}\n\n`;

function sendStream(res: ServerResponse, reply: Extract<FakeReply, { tokens: string[] }>): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  // The real API opens with an empty assistant delta, which must not become a token.
  res.write(chunk({ role: 'assistant', content: '' }));
  for (const content of reply.tokens) res.write(chunk({ content }));
  switch (reply.ending ?? 'finish') {
    case 'finish':
      res.end(`${chunk({}, 'stop')}data: [DONE]\n\n`);
      return;
    case 'malformed':
      res.end('data: {not json\n\n');
      return;
    case 'error':
      res.end(`data: ${JSON.stringify({ error: { message: 'The server had an error', type: 'server_error' } })}\n\n`);
      return;
    case 'close':
      res.end();
      return;
    case 'hang':
      return;
  }
}

function sendChunks(res: ServerResponse, reply: Extract<FakeReply, { chunks: unknown[] }>): void {
  res.writeHead(reply.status ?? 200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    ...reply.headers,
  });
  res.flushHeaders();
  const body = reply.chunks.map((item) => (typeof item === 'string' ? item : `data: ${JSON.stringify(item)}\n\n`));
  switch (reply.ending ?? 'end') {
    case 'end':
      res.end(body.join(''));
      return;
    case 'hang':
      res.write(body.join(''));
      return;
    case 'cut':
      // Once the chunks have left, so the client reads them before it sees the connection drop.
      res.write(body.join(''), () => res.socket?.destroy());
      return;
  }
}

function sendError(res: ServerResponse, reply: Extract<FakeReply, { status: number }>): void {
  const body = JSON.stringify({
    error: { message: reply.message ?? `fake status ${reply.status}`, type: 'fake_error', param: null, code: null },
  });
  res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
  if (reply.holdBody) res.flushHeaders();
  else res.end(body);
}

/** An OpenAI-compatible `POST /v1/chat/completions` on 127.0.0.1, answering with scripted replies. */
export async function startFakeOpenAIServer(replies: FakeReply[]): Promise<FakeOpenAIServer> {
  const arrived: FakeRequest[] = [];
  const waiting = new Map<number, (request: FakeRequest) => void>();

  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      const closed = new Promise<void>((resolve) => res.once('close', () => resolve()));
      const index = arrived.length;
      const request: FakeRequest = {
        headers: req.headers,
        body: JSON.parse(Buffer.concat(parts).toString('utf8')),
        closed,
        cut: () => req.socket.destroy(),
      };
      arrived.push(request);
      waiting.get(index)?.(request);
      waiting.delete(index);

      const reply = replies[index];
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        sendError(res, { status: 404, message: `fake server: no route ${req.method} ${req.url}` });
      } else if (!reply) {
        sendError(res, { status: 400, message: `fake server: no reply scripted for request ${index}` });
      } else if ('chunks' in reply) {
        sendChunks(res, reply);
      } else if ('tokens' in reply) {
        sendStream(res, reply);
      } else {
        sendError(res, reply);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    get requestCount() {
      return arrived.length;
    },
    request(index) {
      const request = arrived[index];
      if (request) return Promise.resolve(request);
      return new Promise((resolve) => waiting.set(index, resolve));
    },
    async [Symbol.asyncDispose]() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
