/** How to start a threadcast app process: the command and its arguments (run from `cwd`, default the config's folder). */
export interface AppCommand {
  command: readonly string[];
  cwd?: string;
}

/**
 * The kit's options, set in `playwright.config.ts` (`use: { … }`) or a file's `test.use({ … })`. Each is fixed per
 * Playwright worker: the worker starts one threadcast for its tests, and a test that asks for other options gets
 * a worker of its own.
 */
export interface ThreadcastOptions {
  /**
   * `embedded` (default): one server process on its in-memory engine. `redis`: a `redis-server` the kit starts on a
   * free loopback port, `threadcastServers` servers on it behind a balancer, and a worker (`threadcastWorker`).
   */
  threadcastEngine: 'embedded' | 'redis';
  /** An existing server's URL: the kit starts nothing and uses it (it must allow dev login, `AUTH_DEV_LOGIN=1`). */
  threadcastUrl: string | undefined;
  /** How to start a threadcast server, e.g. `{ command: ['node', 'apps/server/dist/main.js'] }`. */
  threadcastServer: AppCommand | undefined;
  /**
   * How to start a threadcast worker (engine `redis`). Without it the servers run their embedded workers, and a run
   * dies with the server that runs it: give one for failover tests.
   */
  threadcastWorker: AppCommand | undefined;
  /** How many servers the `redis` engine runs behind its balancer (default 1; `servers` kills and drains them). */
  threadcastServers: number;
  /** Milliseconds the demo agent waits before each token (`AGENT_TOKEN_DELAY_MS`; default 20). */
  threadcastPace: number;
  /** More environment for every process the kit starts (`LOG_LEVEL`, limits, another `AGENT`…). */
  threadcastEnv: Readonly<Record<string, string>>;
  /** Where a thread is shown in the app, `{threadId}` replaced (default `/?thread={threadId}`, the web app's). */
  threadcastThreadPath: string;
}

export const DEFAULT_OPTIONS: ThreadcastOptions = {
  threadcastEngine: 'embedded',
  threadcastUrl: undefined,
  threadcastServer: undefined,
  threadcastWorker: undefined,
  threadcastServers: 1,
  threadcastPace: 20,
  threadcastEnv: {},
  threadcastThreadPath: '/?thread={threadId}',
};
