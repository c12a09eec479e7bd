import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { emptyAsUnset, envInt, logLevelSchema, parseEnv } from './env.ts';

const schema = z.object({
  PORT: envInt(0, 65_535).default(3000),
  TOKEN: emptyAsUnset(z.string().min(4).optional()),
  LOG_LEVEL: logLevelSchema,
});

describe('env helpers', () => {
  it('coerces integers, reads an empty value as unset and applies defaults', () => {
    expect(parseEnv(schema, { PORT: '8080', TOKEN: '' })).toEqual({ PORT: 8080, TOKEN: undefined, LOG_LEVEL: 'info' });
    expect(parseEnv(schema, {})).toEqual({ PORT: 3000, TOKEN: undefined, LOG_LEVEL: 'info' });
  });

  it('names every variable that is wrong', () => {
    expect(() => parseEnv(schema, { PORT: '70000', TOKEN: 'ab', LOG_LEVEL: 'loud' })).toThrow(
      /invalid environment:[\s\S]*PORT[\s\S]*TOKEN[\s\S]*LOG_LEVEL/,
    );
    expect(() => parseEnv(schema, { PORT: '1.5' })).toThrow(/PORT/);
  });
});
