/** A mistake in how a `tc` command was called: told in one line with the command's usage, exit status 1. */
export class UsageError extends Error {
  override name = 'UsageError';
}
