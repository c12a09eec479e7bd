import type { Logger } from '@threadcast/common';

/**
 * Counts dropped messages and logs them at most once per `everyMs`, with how many were dropped since the
 * last line, so a producer that floods a channel with garbage cannot flood the logs too.
 */
export class DropLog {
  total = 0;
  private sinceLog = 0;
  private lastLog = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly logger: Logger,
    private readonly everyMs = 10_000,
  ) {}

  drop(fields: Record<string, unknown>, message: string): void {
    this.total += 1;
    this.sinceLog += 1;
    const now = Date.now();
    if (now - this.lastLog < this.everyMs) return;
    this.logger.warn({ ...fields, dropped: this.sinceLog, droppedTotal: this.total }, message);
    this.lastLog = now;
    this.sinceLog = 0;
  }
}
