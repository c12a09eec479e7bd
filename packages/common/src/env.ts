import { z } from 'zod';

/** An integer variable within `min`..`max` (environment values are strings, so it is coerced). */
export const envInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** `schema`, reading an empty value (`NAME=`) as unset, so that `.optional()` and `.default()` apply to it. */
export function emptyAsUnset<Schema extends z.ZodType>(schema: Schema) {
  return z.preprocess((value) => (value === '' ? undefined : value), schema);
}

export const logLevelSchema = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');

/** Validates an environment against an app's schema, failing with every problem spelled out. */
export function parseEnv<Schema extends z.ZodType>(schema: Schema, source: NodeJS.ProcessEnv): z.output<Schema> {
  const parsed = schema.safeParse(source);
  if (!parsed.success) throw new Error(`invalid environment:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** Reads the environment, or says what is wrong with it (no stack trace) and exits with status 2. */
export function exitOnBadEnv<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
}
