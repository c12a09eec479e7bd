/** Whether an engine can serve right now; when it cannot, why (shown by a readiness probe). */
export type Readiness = { ready: true } | { ready: false; reason: string };

/** An engine that can tell whether it is usable now, for a readiness probe. */
export interface ReadinessCheck {
  readiness(): Readiness;
}
