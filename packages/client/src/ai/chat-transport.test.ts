import type { ThreadMessage } from '@threadcast/contract';
import { type ChatTransport, readUIMessageStream, type UIMessage, type UIMessageChunk } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamingClient } from '../streaming-client.ts';
import { ThreadcastChatTransport } from './chat-transport.ts';
import { startThreadcastServer, type ThreadcastServer } from './testing/threadcast-server.ts';
import { type ThreadcastUIMessage, threadMessagesToUIMessages } from './ui-messages.ts';

let server: ThreadcastServer;
let client: StreamingClient;

beforeAll(async () => {
  server = await startThreadcastServer({ tokenDelayMs: 1 });
  client = await server.client('ada');
});
afterAll(async () => {
  await server?.[Symbol.asyncDispose]();
});

async function chat(): Promise<{ threadId: string; transport: ChatTransport<UIMessage> }> {
  const { threadId } = await client.trpc.thread.create.mutate({ title: 'ai sdk' });
  return { threadId, transport: new ThreadcastChatTransport({ client, threadId }) };
}

function userMessage(text: string): UIMessage {
  return { id: 'u1', role: 'user', parts: [{ type: 'text', text }] };
}

function send(transport: ChatTransport<UIMessage>, messages: UIMessage[], abortSignal?: AbortSignal) {
  return transport.sendMessages({
    trigger: 'submit-message',
    chatId: 'chat',
    messageId: undefined,
    messages,
    abortSignal,
  });
}

async function readAll(stream: ReadableStream<UIMessageChunk>): Promise<UIMessageChunk[]> {
  const chunks: UIMessageChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

/** What `useChat` would show after these chunks: the AI SDK's own assembly. */
async function assemble(chunks: UIMessageChunk[]): Promise<UIMessage | undefined> {
  const stream = new ReadableStream<UIMessageChunk>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  let last: UIMessage | undefined;
  for await (const message of readUIMessageStream({ stream })) last = message;
  return last;
}

/** The fields a reader sees, without the SDK's bookkeeping (`providerExecuted: undefined` and the like). */
function visible(message: UIMessage | undefined) {
  return {
    id: message?.id,
    metadata: message?.metadata,
    parts: message?.parts.map((part) => {
      const { type } = part;
      const pick = part as Record<string, unknown>;
      const fields = ['text', 'state', 'toolCallId', 'input', 'output', 'errorText', 'url', 'sourceId', 'id', 'data'];
      return Object.fromEntries([
        ['type', type],
        ...fields.filter((f) => pick[f] !== undefined).map((f) => [f, pick[f]]),
      ]);
    }),
  };
}

async function finishedMessage(threadId: string, runId: string): Promise<ThreadMessage> {
  await expect.poll(async () => (await client.trpc.run.get.query({ runId })).state).toBe('done');
  const detail = await client.trpc.thread.get.query({ threadId });
  const message = detail.messages.find((m) => m.runId === runId);
  if (!message) throw new Error(`thread.get has no run ${runId}`);
  return message;
}

function reply(messages: ThreadcastUIMessage[], runId: string): ThreadcastUIMessage | undefined {
  return messages.find((message) => message.id === runId);
}

describe('ThreadcastChatTransport', () => {
  it('streams a run as UI message chunks that assemble into the reply thread.get reports', async () => {
    const { threadId, transport } = await chat();
    const chunks = await readAll(await send(transport, [userMessage('What time is it in Tokyo?')]));

    const start = chunks[0];
    if (start?.type !== 'start' || start.messageId === undefined) throw new Error('no start chunk first');
    const runId = start.messageId;
    expect(chunks.at(-1)).toEqual({
      type: 'finish',
      finishReason: 'stop',
      messageMetadata: { runState: 'done', usage: expect.any(Object), model: 'demo' },
    });
    const types = chunks.map((chunk) => chunk.type);
    for (const type of ['reasoning-start', 'tool-input-start', 'tool-input-available', 'tool-output-available']) {
      expect(types).toContain(type);
    }
    expect(types.filter((type) => type === 'start-step')).toHaveLength(2);
    expect(types).toContain('source-url');
    expect(types).toContain('data-demo-summary');
    // Every text block opens before its deltas and closes before any other part.
    let open: string | null = null;
    for (const chunk of chunks) {
      if (chunk.type === 'text-start') open = chunk.id;
      else if (chunk.type === 'text-delta') expect(chunk.id).toBe(open);
      else if (chunk.type === 'text-end') open = null;
      else expect(open).toBeNull();
    }

    const final = await finishedMessage(threadId, runId);
    const assembled = await assemble(chunks);
    expect(assembled?.parts.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('')).toBe(final.text);
    expect(visible(assembled)).toEqual(visible(reply(threadMessagesToUIMessages([final]), runId)));
  });

  it('starts a run from the last user message for regenerate-message too', async () => {
    const { threadId, transport } = await chat();
    await readAll(await send(transport, [userMessage('first')]));
    const stream = await transport.sendMessages({
      trigger: 'regenerate-message',
      chatId: 'chat',
      messageId: undefined,
      messages: [userMessage('first')],
      abortSignal: undefined,
    });
    await readAll(stream);
    const { messages } = await client.trpc.thread.get.query({ threadId });
    expect(messages.map((m) => [m.prompt, m.state])).toEqual([
      ['first', 'done'],
      ['first', 'done'],
    ]);
  });

  it('cancels the run on the server when the reader stops, then ends with abort', async () => {
    const { threadId, transport } = await chat();
    const controller = new AbortController();
    const stream = await send(transport, [userMessage('Count to a thousand slowly')], controller.signal);
    const chunks: UIMessageChunk[] = [];
    for await (const chunk of stream) {
      chunks.push(chunk);
      if (chunk.type === 'reasoning-delta') controller.abort();
    }
    expect(chunks.at(-1)).toEqual({ type: 'abort', reason: 'cancelled by the reader' });
    const runId = (chunks[0] as { messageId: string }).messageId;
    expect((await client.trpc.run.get.query({ runId })).state).toBe('cancelled');
    const { messages } = await client.trpc.thread.get.query({ threadId });
    expect(messages.at(-1)?.state).toBe('cancelled');
  });

  it('reconnects to the run in progress: replays it from its start exactly once and goes on live', async () => {
    const { threadId, transport } = await chat();
    const first = (await send(transport, [userMessage('Tell me about resumable streams')])).getReader();
    const seen: UIMessageChunk[] = [];
    while (seen.filter((chunk) => chunk.type === 'text-delta').length < 5) {
      const { value, done } = await first.read();
      if (done) throw new Error('the run ended before the reader dropped');
      seen.push(value);
    }
    await first.cancel(); // the tab closes mid-reply

    const detail = await client.trpc.thread.get.query({ threadId });
    const runId = (seen[0] as { messageId: string }).messageId;
    // What the app loads: the prompt, and no reply yet, since the resumed stream replays it.
    expect(threadMessagesToUIMessages(detail.messages)).toEqual([
      { id: `${runId}-prompt`, role: 'user', parts: [{ type: 'text', text: 'Tell me about resumable streams' }] },
    ]);
    expect(transport.resumeStreamIsReplay).toBe(true);
    const resumed = await transport.reconnectToStream({ chatId: 'chat' });
    if (!resumed) throw new Error('no stream to resume');
    const replayed = await readAll(resumed);

    expect(replayed.slice(0, seen.length)).toEqual(seen);
    expect(replayed.filter((chunk) => chunk.type === 'start')).toHaveLength(1);
    const final = await finishedMessage(threadId, runId);
    expect(visible(await assemble(replayed))).toEqual(visible(reply(threadMessagesToUIMessages([final]), runId)));
    expect(await transport.reconnectToStream({ chatId: 'chat' })).toBeNull();
  });

  it('keeps the stream open while a tool waits for approval, and goes on once run.approveTool answers', async () => {
    const { threadId, transport } = await chat();
    const chunks: UIMessageChunk[] = [];
    for await (const chunk of await send(transport, [userMessage('Please approve a note')])) {
      chunks.push(chunk);
      if (chunk.type === 'tool-approval-request') {
        const runId = (chunks[0] as { messageId: string }).messageId;
        await expect.poll(async () => (await client.trpc.run.get.query({ runId })).state).toBe('waiting');
        await client.trpc.run.approveTool.mutate({ runId, toolCallId: chunk.toolCallId, approved: true });
      }
    }
    const runId = (chunks[0] as { messageId: string }).messageId;
    expect(chunks.map((chunk) => chunk.type)).toContain('tool-approval-response');
    const final = await finishedMessage(threadId, runId);
    expect(visible(await assemble(chunks))).toEqual(visible(reply(threadMessagesToUIMessages([final]), runId)));
  });

  it('refuses to start a run without a user prompt, and starts none', async () => {
    const { threadId, transport } = await chat();
    await expect(send(transport, [])).rejects.toThrow('the conversation is empty');
    await expect(
      send(transport, [userMessage('hi'), { id: 'a1', role: 'assistant', parts: [{ type: 'text', text: 'hello' }] }]),
    ).rejects.toThrow("the last message is the assistant's");
    await expect(
      send(transport, [
        { id: 'u1', role: 'user', parts: [{ type: 'file', mediaType: 'image/png', url: 'data:image/png;base64,' }] },
      ]),
    ).rejects.toThrow('the last user message has none');
    await expect(send(transport, [userMessage('   ')])).rejects.toThrow('the last user message has none');
    expect((await client.trpc.thread.get.query({ threadId })).messages).toEqual([]);
    expect(await transport.reconnectToStream({ chatId: 'chat' })).toBeNull();
  });
});
