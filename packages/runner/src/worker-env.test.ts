import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { workerEnvShape, workerOptionsFromEnv } from './worker-env.ts';

const parse = (source: Record<string, string>) => z.object(workerEnvShape).safeParse(source);
const offered = (source: Record<string, string>) => {
  const env = parse(source);
  if (!env.success) throw env.error;
  return workerOptionsFromEnv(env.data).tools.specs.map((spec) => spec.name);
};

describe('the worker environment', () => {
  it('offers every built-in tool by default, the ones AGENT_TOOLS names, or none when it is empty', () => {
    expect(offered({})).toEqual(['calculator', 'clock', 'save_note']);
    expect(offered({ AGENT_TOOLS: ' clock, calculator,clock ' })).toEqual(['calculator', 'clock']);
    expect(offered({ AGENT_TOOLS: '' })).toEqual([]);
  });

  it('refuses a tool it does not have, naming the ones it has', () => {
    const env = parse({ AGENT_TOOLS: 'calculator,shell' });
    expect(env.success).toBe(false);
    expect(env.error && z.prettifyError(env.error)).toMatch(
      /unknown tool shell: the built-in tools are calculator, clock, save_note[\s\S]*AGENT_TOOLS/,
    );
  });

  it('bounds AGENT_MAX_STEPS to 1..100', () => {
    expect(parse({ AGENT_MAX_STEPS: '0' }).success).toBe(false);
    expect(parse({ AGENT_MAX_STEPS: '101' }).success).toBe(false);
    expect(parse({ AGENT_MAX_STEPS: '3' }).data?.AGENT_MAX_STEPS).toBe(3);
  });
});
