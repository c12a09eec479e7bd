import { setTimeout as delay } from 'node:timers/promises';
import type { Agent, AgentChunk, AgentRequest } from './agent.ts';

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

/** The full reply of the demo agent to `prompt`: deterministic, multilingual, with emoji. */
export function demoReply(prompt: string): string {
  const h = hash(prompt);
  const first = CLOSINGS[h % CLOSINGS.length];
  const second = CLOSINGS[(h >>> 8) % CLOSINGS.length];
  const picked = first === second ? [first] : [first, second];
  return `You said: “${prompt}”. This reply streams token by token from the demo agent. ${picked.join(' ')}`;
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
  /** Pause before each token, in milliseconds (0: as fast as possible). */
  tokenDelayMs: number;
}

/** The default agent: no network, a reply that is a function of the prompt, tokens at a steady pace. */
export class DemoAgent implements Agent {
  readonly name = 'demo';

  constructor(private readonly config: DemoAgentConfig) {
    if (!Number.isFinite(config.tokenDelayMs) || config.tokenDelayMs < 0) {
      throw new RangeError(`tokenDelayMs must be >= 0, got ${config.tokenDelayMs}`);
    }
  }

  async *reply(request: AgentRequest): AsyncIterable<AgentChunk> {
    const prompt = request.messages.findLast((message) => message.role === 'user')?.content ?? '';
    for (const text of tokenize(demoReply(prompt))) {
      if (this.config.tokenDelayMs > 0) await delay(this.config.tokenDelayMs, undefined, { signal: request.signal });
      if (request.signal.aborted) return;
      yield { type: 'token', text };
    }
  }
}
