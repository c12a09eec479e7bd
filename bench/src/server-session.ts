import type { RunningServer, ServerSettings, Variant } from './variants.ts';

/**
 * Gives each step its server: a fresh process per step, or (`perVariant`) one process per variant kept
 * until the next variant's first step. A variant whose server failed to start fails the same way again.
 */
export class ServerSession {
  private current: { variant: Variant; server: RunningServer } | null = null;
  private readonly startFailures = new Map<Variant['id'], Error>();

  constructor(
    private readonly settings: ServerSettings,
    private readonly perVariant: boolean,
  ) {}

  /** Hands over an already running server of `variant` (the one that created the bench's threads). */
  adopt(variant: Variant, server: RunningServer): void {
    this.current = { variant, server };
  }

  async acquire(variant: Variant): Promise<RunningServer | null> {
    if (!variant.start) return null;
    if (this.current?.variant.id === variant.id && this.perVariant) return this.current.server;
    await this.release();
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

  async release(): Promise<void> {
    const running = this.current;
    this.current = null;
    await running?.server.stop();
  }
}
