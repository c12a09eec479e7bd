import type { EventBus, Logger } from '@threadcast/bus';
import type { RunQueue, RunStore, ThreadStore } from '@threadcast/store';
import type { TokenService, User } from './auth/token-service.ts';

/** What the procedures need from the process that hosts them. */
export interface ApiDeps {
  bus: EventBus;
  threads: ThreadStore;
  runs: RunStore;
  queue: RunQueue;
  tokens: TokenService;
  logger: Logger;
  /** Whether `auth.devLogin` may mint tokens (development and the embedded default). */
  devLoginEnabled: boolean;
}

export interface Context extends ApiDeps {
  /** The user of the request's token, or `null` when it carried none or an invalid one. */
  user: User | null;
}

/** The parts of a request the context reads, whatever adapter carries it. */
export interface ContextRequest {
  req: { headers: Record<string, string | string[] | undefined> };
  info?: { connectionParams: Record<string, string | undefined> | null };
}

function bearerToken(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value ? /^Bearer\s+(\S+)$/i.exec(value) : null;
  return match?.[1] ?? null;
}

/**
 * Builds each request's context. The token comes from `Authorization: Bearer` (queries, mutations,
 * non-browser streams) or from tRPC `connectionParams.token` (browser streams, where EventSource cannot
 * send headers).
 */
export function createContextFactory(deps: ApiDeps) {
  return async ({ req, info }: ContextRequest): Promise<Context> => {
    const token = bearerToken(req.headers.authorization) ?? info?.connectionParams?.token ?? null;
    const user = token ? await deps.tokens.verify(token) : null;
    return { ...deps, user };
  };
}
