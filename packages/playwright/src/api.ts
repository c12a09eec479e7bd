import type { APIRequestContext } from '@playwright/test';
import type {
  CancelRunOutput,
  CreateThreadOutput,
  DevLoginOutput,
  Run,
  StartRunOutput,
  ThreadDetail,
} from '@threadcast/contract';

/** A procedure refused or failed: its tRPC error code (`NOT_FOUND`, `TOO_MANY_REQUESTS`…) and message. */
export class ProcedureError extends Error {
  override name = 'ProcedureError';
  constructor(
    readonly path: string,
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`${path} answered ${status} ${code}: ${message}`);
  }
}

/**
 * threadcast's procedures called from the test's side, over tRPC's plain HTTP protocol (queries are GETs,
 * mutations POSTs), with a Playwright request context: the browser context's cookies, on connections of its own,
 * so a call is never stuck behind a socket the page holds or a connection the relay has cut.
 */
export class ThreadcastApi {
  constructor(
    private readonly request: APIRequestContext,
    /** The server's origin (`http://127.0.0.1:4000`). */
    readonly url: string,
  ) {}

  private async call<T>(path: string, input: unknown, kind: 'query' | 'mutation'): Promise<T> {
    const endpoint = `${this.url}/trpc/${path}`;
    const response =
      kind === 'mutation'
        ? await this.request.post(endpoint, { data: input ?? {} })
        : await this.request.get(`${endpoint}?input=${encodeURIComponent(JSON.stringify(input))}`);
    const text = await response.text();
    let body: { result?: { data: T }; error?: { message?: string; data?: { code?: string } } };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new ProcedureError(path, response.status(), 'NOT_JSON', text.slice(0, 200));
    }
    if (!response.ok() || !body.result) {
      throw new ProcedureError(
        path,
        response.status(),
        body.error?.data?.code ?? 'UNKNOWN',
        body.error?.message ?? text.slice(0, 200),
      );
    }
    return body.result.data;
  }

  /** Signs in as `name` with dev login; the session cookie lands in the request context's (and the browser's) jar. */
  signIn(name: string): Promise<DevLoginOutput> {
    return this.call('auth.devLogin', { name }, 'mutation');
  }
  createThread(title?: string): Promise<CreateThreadOutput> {
    return this.call('thread.create', title === undefined ? {} : { title }, 'mutation');
  }
  /** The thread as the server keeps it: every run's prompt, state, text and parts, from its stored history. */
  thread(threadId: string): Promise<ThreadDetail> {
    return this.call('thread.get', { threadId }, 'query');
  }
  startRun(threadId: string, prompt: string): Promise<StartRunOutput> {
    return this.call('run.start', { threadId, prompt }, 'mutation');
  }
  run(runId: string): Promise<Run> {
    return this.call('run.get', { runId }, 'query');
  }
  cancelRun(runId: string): Promise<CancelRunOutput> {
    return this.call('run.cancel', { runId }, 'mutation');
  }
}
