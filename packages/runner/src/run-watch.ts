import { isEnded, type RunStore } from '@threadcast/store';

/** How often a run's record is read while its tools run. */
const WATCH_INTERVAL_MS = 200;

export interface RunWatch {
  /** Aborted when `parent` aborts or the run was ended by someone else (a cancel, the reaper). */
  readonly signal: AbortSignal;
  /** Whether the run was found ended. */
  readonly ended: boolean;
  stop(): void;
}

/**
 * Watches a run's record while its tools run. Between model calls nothing is published, so this is how a
 * cancel reaches a tool that is still working (its signal aborts) rather than waiting for the next event.
 */
export function watchRunEnd(runs: RunStore, runId: string, parent: AbortSignal): RunWatch {
  const controller = new AbortController();
  let ended = false;
  const onParentAbort = () => controller.abort(parent.reason);
  parent.addEventListener('abort', onParentAbort, { once: true });
  if (parent.aborted) onParentAbort();
  let checking = false;
  const timer = setInterval(() => {
    if (checking || controller.signal.aborted) return;
    checking = true;
    runs
      .get(runId)
      .then((record) => {
        if (record && isEnded(record.state)) {
          ended = true;
          controller.abort(new Error(`run ${runId} was ended while its tools ran`));
        }
      })
      // A failed read (the store unreachable for a moment) is retried at the next tick.
      .catch(() => undefined)
      .finally(() => {
        checking = false;
      });
  }, WATCH_INTERVAL_MS);
  return {
    signal: controller.signal,
    get ended() {
      return ended;
    },
    stop() {
      clearInterval(timer);
      parent.removeEventListener('abort', onParentAbort);
    },
  };
}
