import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { compare } from './comparisons.ts';
import type { FdLimits } from './fd-limits.ts';
import { roundsMedians } from './medians.ts';
import type { BenchPlan } from './plan.ts';
import type { StepResult } from './step-result.ts';

const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));

export interface RunSummary {
  plan: BenchPlan['name'];
  startedAt: string;
  finishedAt: string;
  passed: boolean;
  /** Why the run failed (our server's steps), empty when it passed. */
  failures: string[];
  fdLimits: FdLimits;
}

export function machine() {
  const cpuList = cpus();
  return {
    cpuModel: cpuList[0]?.model ?? 'unknown',
    cpuCount: cpuList.length,
    totalMemoryMb: Math.round(totalmem() / 2 ** 20),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    /** 1, 5 and 15 minutes, when the figures were written: above the core count, other work shared the machine. */
    loadAverage: loadavg().map((load) => Math.round(load * 100) / 100),
  };
}

/** Writes `results/<scenario>.json` (every figure, with the floor comparisons) and `results/summary.json`. */
export async function writeResults(plan: BenchPlan, results: readonly StepResult[], summary: RunSummary) {
  await mkdir(resultsDir, { recursive: true });
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  for (const scenario of plan.scenarios) {
    const steps = results
      .filter((result) => result.scenario === scenario.id)
      .map((result) => ({ ...result, ...compare(result, results) }));
    const medians = plan.rounds > 1 ? roundsMedians(results.filter((result) => result.scenario === scenario.id)) : [];
    await writeFile(
      `${resultsDir}${scenario.id}.json`,
      json({ scenario: scenario.id, title: scenario.title, rounds: plan.rounds, steps, medians }),
    );
  }
  await writeFile(
    `${resultsDir}summary.json`,
    json({
      ...summary,
      machine: machine(),
      heartbeatMs: plan.heartbeatMs,
      serverPerVariant: plan.serverPerVariant,
      rounds: plan.rounds,
      steps: results.map(({ scenario, n, round, variant, redis, status, notes }) => ({
        scenario,
        n,
        round,
        variant,
        redis,
        status,
        notes,
      })),
    }),
  );
  return resultsDir;
}
