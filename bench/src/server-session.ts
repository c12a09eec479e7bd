import type { RunningServer, ServerSettings, Variant } from './variants.ts';

/**
 * Gives each step its server: a fresh process per step, or (`perVariant`) one process per variant kept
 * until the next variant's first step. A variant whose server failed to start fails the same way again.
 */
export class ServerSession {
  private current: { variant: Variant; server: RunningServer } | null = null;
  /** Servers already running (those that created the threads), each kept for its variant's first step. */
  private readonly adopted = new Map<Variant['id'], RunningServer>();
  private readonly startFailures = new Map<Variant['id'], Error>();

  constructor(
    private readonly settings: ServerSettings,
    private readonly perVariant: boolean,
  ) {}

  /** Hands over an already running server of `variant` (one that created the bench's threads). */
  adopt(variant: Variant, server: RunningServer): void {
    this.adopted.set(variant.id, server);
  }

  async acquire(variant: Variant): Promise<RunningServer | null> {
    if (!variant.start) return null;
    if (this.current?.variant.id === variant.id && this.perVariant) return this.current.server;
    await this.release();
    const adopted = this.adopted.get(variant.id);
    if (adopted) {
      this.adopted.delete(variant.id);
      this.current = { variant, server: adopted };
      return adopted;
    }
    const failure = this.startFailures.get(variant.id);
    if (failure && this.perVariant) throw failure;
    try {
      const server = await variant.start(this.settings);
      this.current = { variant, server };
      return server;
    } catch (error) {
      const failed = new Error(`${variant.label} did not start: ${error instanceof Error ? error.message : error}`);
      this.startFailures.set(variant.id, failed);
      throw failed;
    }
  }

  /** Called after each step: stops the server unless it is kept for the variant's next step. */
  async afterStep(): Promise<void> {
    if (!this.perVariant) await this.release();
  }

  /** Stops the current server. */
  async release(): Promise<void> {
    const running = this.current;
    this.current = null;
    await running?.server.stop();
  }

  /** Stops every server, adopted ones no step used included. */
  async close(): Promise<void> {
    const adopted = [...this.adopted.values()];
    this.adopted.clear();
    await Promise.all([this.release(), ...adopted.map((server) => server.stop())]);
  }
}
