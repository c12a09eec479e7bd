import { setTimeout as delay } from 'node:timers/promises';
import type { Agent, AgentChunk, AgentMessage, AgentRequest } from './agent.ts';
import { evaluateArithmetic } from './tools/arithmetic.ts';

const CLOSINGS = [
  'Café au lait, naïve résumé, Ångström and Straße all survive the trip.',
  '你好，世界！这是一个流式回复。',
  'こんにちは、スレッドキャスト。',
  'Emoji too: 🚀✨🎉 and a family 👨‍👩‍👧 stay whole.',
  'Every token is an event with its own id, so nothing is lost or doubled.',
];

/** A short, stable hash of the prompt, so the reply is a pure function of it. */
function hash(text: string): number {
  let h = 2166136261;
  for (const char of text) {
    h ^= char.codePointAt(0) ?? 0;
    h = Math.imul(h, 16777619) >>> 0;
  }
  return h;
}

const TIME_ZONES = ['UTC', 'Europe/Paris', 'Asia/Tokyo', 'America/New_York'];

/** Where the clock's zones come from: the source the demo reply cites. */
export const DEMO_SOURCE = {
  sourceId: 'iana-tz',
  url: 'https://www.iana.org/time-zones',
  title: 'IANA time zone database',
} as const;

/** Whether the demo agent also asks to save a note, which waits for the owner's approval. */
export function demoWantsApproval(prompt: string): boolean {
  return /\bapprove\b/i.test(prompt);
}

/** The tool calls the demo agent makes for `prompt`, with their arguments: a function of the prompt. */
export function demoToolCalls(prompt: string): { toolName: string; args: Record<string, string> }[] {
  // One term per word (up to 60), so a longer prompt streams longer arguments, as a model's would.
  const lengths = prompt
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 60)
    .map((word) => [...word].length);
  const calls: { toolName: string; args: Record<string, string> }[] = [
    { toolName: 'calculator', args: { expression: `(${lengths.join(' + ') || '0'}) * 7 / 4 - 2 ^ 3` } },
    { toolName: 'clock', args: { timeZone: TIME_ZONES[hash(prompt) % TIME_ZONES.length] ?? 'UTC' } },
  ];
  if (demoWantsApproval(prompt))
    calls.push({ toolName: 'save_note', args: { note: `Remember: ${prompt.slice(0, 80)}` } });
  return calls;
}

/** What the demo's final reply says of each tool, from the results it read. */
interface DemoResults {
  calculation: string;
  note?: string;
}

function expectedResults(prompt: string, noteApproved: boolean): DemoResults {
  const expression = demoToolCalls(prompt)[0]?.args.expression ?? '';
  return {
    calculation: `${expression} = ${evaluateArithmetic(expression)}`,
    ...(demoWantsApproval(prompt) ? { note: noteApproved ? 'saved' : 'not saved: you declined' } : {}),
  };
}

function composeReply(prompt: string, results: DemoResults): string {
  const h = hash(prompt);
  const first = CLOSINGS[h % CLOSINGS.length];
  const second = CLOSINGS[(h >>> 8) % CLOSINGS.length];
  const picked = first === second ? [first] : [first, second];
  const zone = demoToolCalls(prompt)[1]?.args.timeZone;
  const lines = [
    `**Demo reply.** You said: “${prompt}”. This reply streams token by token from the demo agent. ${picked.join(' ')}`,
    '',
    `- **calculator**: ${results.calculation}`,
    // The clock's reading changes every second; it stays in its tool part so the text is a function of the prompt.
    `- **clock**: read in ${zone} (its reading is in the tool call above)`,
    ...(results.note === undefined ? [] : [`- **save_note**: ${results.note}`]),
    '',
    '```ts',
    `const answer = ${results.calculation.split(' = ').at(-1)};`,
    '```',
  ];
  return lines.join('\n');
}

/**
 * The full text of the demo agent's reply to `prompt` (every token event joined), when its tools answer as
 * they should; `noteApproved` is the owner's answer to the note a prompt with "approve" asks to save.
 */
export function demoReply(prompt: string, options: { noteApproved?: boolean } = {}): string {
  return composeReply(prompt, expectedResults(prompt, options.noteApproved ?? true));
}

const segmenter = new Intl.Segmenter('en', { granularity: 'word' });

/** Splits text into tokens the way a model streams them: words with their trailing spaces, CJK by character, emoji whole. */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  for (const piece of piecesAtSpaces(text, 2_000)) {
    for (const { segment, isWordLike } of segmenter.segment(piece)) {
      const last = tokens.length - 1;
      if (!isWordLike && /^\s+$/u.test(segment) && last >= 0) tokens[last] += segment;
      else tokens.push(segment);
    }
  }
  return tokens;
}

/**
 * Cuts text just after a space every `size` characters or so. ICU's segmenter slows down sharply on very
 * long strings (seconds per call past ~100 KB here), and a space is always a word boundary, so segmenting
 * the pieces gives the same tokens.
 */
function* piecesAtSpaces(text: string, size: number): Generator<string> {
  let start = 0;
  while (text.length - start > size) {
    const space = text.indexOf(' ', start + size);
    if (space < 0) break;
    yield text.slice(start, space + 1);
    start = space + 1;
  }
  yield text.slice(start);
}

export interface DemoAgentConfig {
  /** Pause before each chunk (token, reasoning, piece of tool arguments), in milliseconds (0: as fast as possible). */
  tokenDelayMs: number;
}

/**
 * The default agent: no network, a deterministic function of the conversation, chunks at a steady pace. Its
 * first step reasons briefly and calls `calculator` and `clock` (and `save_note`, which needs approval, when
 * the prompt says "approve"); once the results are in, its second step writes a markdown reply with them. It
 * calls only the tools it is offered, and replies at once when offered none.
 */
export class DemoAgent implements Agent {
  readonly name = 'demo';

  constructor(private readonly config: DemoAgentConfig) {
    if (!Number.isFinite(config.tokenDelayMs) || config.tokenDelayMs < 0) {
      throw new RangeError(`tokenDelayMs must be >= 0, got ${config.tokenDelayMs}`);
    }
  }

  async *reply(request: AgentRequest): AsyncIterable<AgentChunk> {
    const lastUser = request.messages.findLastIndex((message) => message.role === 'user');
    const prompt = (request.messages[lastUser] as AgentMessage | undefined)?.content ?? '';
    const thisRun = request.messages.slice(lastUser + 1);
    const offered = new Set(request.tools.map((tool) => tool.name));
    const calls = demoToolCalls(prompt).filter((call) => offered.has(call.toolName));
    const pace = async () => {
      if (this.config.tokenDelayMs > 0) await delay(this.config.tokenDelayMs, undefined, { signal: request.signal });
      return !request.signal.aborted;
    };
    let output = 0;
    if (calls.length > 0 && !thisRun.some((message) => message.role === 'tool')) {
      const words = prompt.split(/\s+/).filter(Boolean);
      // It reads the prompt back (up to 80 words), so a longer prompt reasons longer, as a model would.
      const thought = `The prompt has ${words.length} words: ${words.slice(0, 80).join(' ')}. I will add up their lengths with the calculator and read the clock.`;
      for (const text of tokenize(thought)) {
        if (!(await pace())) return;
        output += 1;
        yield { type: 'reasoning', text };
      }
      for (const [i, call] of calls.entries()) {
        const toolCallId = `demo-${call.toolName}-${i + 1}`;
        const argsText = JSON.stringify(call.args);
        yield { type: 'tool-call-start', toolCallId, toolName: call.toolName };
        // Pieces of 7 characters, cut mid-word, the way a model streams arguments.
        for (let at = 0; at < argsText.length; at += 7) {
          if (!(await pace())) return;
          output += 1;
          yield { type: 'tool-call-delta', toolCallId, argsTextDelta: argsText.slice(at, at + 7) };
        }
        yield { type: 'tool-call', toolCallId, toolName: call.toolName, argsText };
      }
      yield { type: 'finish', finishReason: 'tool-calls', usage: usage(request.messages, output), model: 'demo' };
      return;
    }
    for (const text of tokenize(composeReply(prompt, readResults(prompt, thisRun)))) {
      if (!(await pace())) return;
      output += 1;
      yield { type: 'token', text };
    }
    // A source and an app data part, so a demo reply carries every kind of part there is.
    if (offered.has('clock')) yield { type: 'source', ...DEMO_SOURCE };
    yield {
      type: 'data',
      part: {
        type: 'data-demo-summary',
        id: 'summary',
        data: {
          words: prompt.split(/\s+/).filter(Boolean).length,
          tools: thisRun.filter((m) => m.role === 'tool').length,
        },
      },
    };
    yield { type: 'finish', finishReason: 'stop', usage: usage(request.messages, output), model: 'demo' };
  }
}

/** What the tools answered, as the demo writes it; what `demoReply` assumes when they were not called. */
function readResults(prompt: string, thisRun: AgentMessage[]): DemoResults {
  const results = expectedResults(prompt, true);
  for (const message of thisRun) {
    if (message.role !== 'tool') continue;
    const output = parseObject(message.content);
    if (message.toolName === 'calculator') {
      results.calculation =
        output && typeof output.result === 'number'
          ? `${output.expression} = ${output.result}`
          : `failed (${message.content})`;
    } else if (message.toolName === 'save_note') {
      results.note = output?.saved === true ? 'saved' : 'not saved: you declined';
    }
  }
  return results;
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Made up but stable: a token per word of the conversation in, a token per chunk out. */
function usage(messages: AgentMessage[], outputTokens: number): { inputTokens: number; outputTokens: number } {
  let inputTokens = 0;
  for (const message of messages) inputTokens += message.content.split(/\s+/).filter(Boolean).length;
  return { inputTokens, outputTokens };
}
