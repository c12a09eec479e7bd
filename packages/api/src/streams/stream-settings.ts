import type { TRPCCombinedDataTransformer, TRPCDataTransformer, TRPCError } from '@trpc/server';

/** How a host's streams behave: given to `createConfiguredRouter`, which builds the router and the writer's settings. */
export interface StreamOptions {
  /** Milliseconds between SSE heartbeats; the client reconnects after about two and a half missed ones. */
  heartbeatMs: number;
  /**
   * The longest a stream stays open, in ms: it then ends with a retryable error and the client resumes from its
   * last event id (e.g. to move long-lived streams off a server now and then). Default: as long as the token holds.
   */
  maxDurationMs?: number | undefined;
  /** A tRPC data transformer (e.g. superjson) for every procedure, streams included; the client must use the same. */
  transformer?: TRPCDataTransformer | TRPCCombinedDataTransformer | undefined;
}

export const DEFAULT_STREAM_OPTIONS: StreamOptions = { heartbeatMs: 15_000 };

/** The client-facing error of a stream, shaped as tRPC shapes errors (the router's error formatter applied). */
export type ErrorShaper = (error: TRPCError, path: string, input: unknown) => unknown;

/** What the SSE writer needs to know of a router: decided where the router is built, never read from tRPC. */
export interface StreamSettings {
  heartbeatMs: number;
  reconnectAfterInactivityMs: number;
  maxDurationMs: number | undefined;
  /** The transformer's serializer of output, or null without one. */
  serialize: ((value: unknown) => unknown) | null;
  /** The transformer's deserializer of input, or null without one. */
  deserialize: ((value: unknown) => unknown) | null;
  shapeError: ErrorShaper;
}

/** Checks the options, and the values tRPC's own SSE settings would be given. */
export function checkStreamOptions(options: StreamOptions): {
  heartbeatMs: number;
  reconnectAfterInactivityMs: number;
  maxDurationMs: number | undefined;
} {
  const { heartbeatMs, maxDurationMs } = options;
  if (!Number.isSafeInteger(heartbeatMs) || heartbeatMs < 1) {
    throw new RangeError(`heartbeatMs must be a positive integer, got ${heartbeatMs}`);
  }
  if (maxDurationMs !== undefined && (!Number.isSafeInteger(maxDurationMs) || maxDurationMs < 1)) {
    throw new RangeError(`maxDurationMs must be a positive integer, got ${maxDurationMs}`);
  }
  return { heartbeatMs, reconnectAfterInactivityMs: Math.round(heartbeatMs * 2.5), maxDurationMs };
}

/** The transformer's output serializer and input deserializer, or nulls without one. */
export function transformerOf(
  transformer: StreamOptions['transformer'],
): Pick<StreamSettings, 'serialize' | 'deserialize'> {
  if (transformer === undefined) return { serialize: null, deserialize: null };
  const { output, input } = 'output' in transformer ? transformer : { output: transformer, input: transformer };
  return { serialize: (value) => output.serialize(value), deserialize: (value) => input.deserialize(value) };
}

const settingsByRouter = new WeakMap<object, StreamSettings>();

/** Records how `router` was built, for the SSE writer. */
export function registerStreamSettings(router: object, settings: StreamSettings): void {
  settingsByRouter.set(router, settings);
}

/** The stream settings `router` was built with; a router built some other way is refused, saying why. */
export function streamSettingsOf(router: object): StreamSettings {
  const settings = settingsByRouter.get(router);
  if (settings === undefined) {
    throw new Error(
      'the SSE writer serves routers built by createTRPCRouter or createConfiguredRouter (@threadcast/api): ' +
        'it takes the heartbeat, longest duration, transformer and error formatter from how the router was built. ' +
        'Build this router with them instead of another initTRPC root.',
    );
  }
  return settings;
}
