/** What `untilAborted` settles with when the signal aborts first. */
export const ABORTED: unique symbol = Symbol('aborted');

/**
 * Settles as `promise` does, or with `ABORTED` as soon as `signal` aborts: for a wait that ignores the signal (a
 * provider's retry pause, a command queued until Redis is back) that its caller must not be held by. The
 * promise's outcome is still handled after an abort, so a late rejection is never unhandled.
 */
export function untilAborted<T>(promise: PromiseLike<T>, signal: AbortSignal): Promise<T | typeof ABORTED> {
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(ABORTED);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
