import type { RedisDeploymentId } from './bench-redis.ts';
import { fdsNeeded } from './fd-limits.ts';
import type { LoadGeneratorPool } from './load-generator-pool.ts';
import type { BenchPlan, Scenario } from './plan.ts';
import { type Deployment, runStep } from './run-step.ts';
import type { ServerSession } from './server-session.ts';
import { type StepResult, skippedStep } from './step-result.ts';
import { selectVariants, type Variant, variants } from './variants.ts';

export interface PlanResources {
  /** Every Redis the selected variants use. */
  deployments: ReadonlyMap<RedisDeploymentId, Deployment>;
  generators: LoadGeneratorPool;
  servers: ServerSession;
  /** Hard limit on open files: a step whose server would need more is skipped, not run into EMFILE. */
  fdHardLimit: number;
}

interface Step {
  scenario: Scenario;
  n: number;
  round: number;
  variant: Variant;
}

/**
 * Full runs go N → scenario → variant: a variant that failed at some N is skipped at the larger ones, and
 * if the time budget runs out it cuts the largest N of every scenario rather than a whole scenario.
 * Quick runs go variant-first, so each variant's one server serves all its steps.
 */
function orderSteps(plan: BenchPlan): Step[] {
  const steps: Step[] = [];
  const selected = selectVariants(plan.variants);
  for (const scenario of plan.scenarios) {
    for (const n of scenario.sizes) {
      for (let round = 1; round <= plan.rounds; round += 1) {
        for (const variant of selected) {
          if (variant.id === 'redis-floor' && scenario.skipRedisFloor) continue;
          steps.push({ scenario, n, round, variant });
        }
      }
    }
  }
  const rank = plan.serverPerVariant ? (step: Step) => variants.indexOf(step.variant) : (step: Step) => step.n;
  // Array.prototype.sort is stable: within a rank the steps keep the scenario → N → variant order.
  return steps.sort((a, b) => rank(a) - rank(b));
}

function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}

export async function runPlan(plan: BenchPlan, resources: PlanResources): Promise<StepResult[]> {
  const steps = orderSteps(plan);
  const results: StepResult[] = [];
  const failedAt = new Map<string, number>();
  const deadline = Date.now() + plan.budgetMs;
  for (const [index, { scenario, n, round, variant }] of steps.entries()) {
    const deployment = resources.deployments.get(variant.redis);
    if (!deployment) throw new Error(`${variant.label} needs a ${variant.redis} Redis, which was not started`);
    const base = {
      scenario: scenario.id,
      n,
      round,
      variant: variant.id,
      label: variant.label,
      redis: variant.redis,
      redisNodes: deployment.redis.nodeCount,
    };
    const streams = scenario.threads(n) * scenario.subscribersPerThread(n);
    const key = `${scenario.id}/${variant.id}`;
    const rounds = plan.rounds > 1 ? ` round ${round}` : '';
    const tag = `[${index + 1}/${steps.length}] ${scenario.id} N=${n}${rounds} ${variant.label}`;
    const failedN = failedAt.get(key);
    // Another round of the N it failed at still runs: a failure there may be the machine's, and is a result.
    if (failedN !== undefined && n > failedN) {
      results.push(skippedStep(base, `skipped: failed at N=${failedN}`, streams));
      progress(`${tag}: skipped (failed at N=${failedN})`);
      continue;
    }
    const fds = fdsNeeded(streams, variant.fdsPerStream);
    if (fds > resources.fdHardLimit) {
      results.push(
        skippedStep(base, `skipped: needs about ${fds} fds, the hard limit is ${resources.fdHardLimit}`, streams),
      );
      progress(`${tag}: skipped (fd limit)`);
      continue;
    }
    if (Date.now() > deadline) {
      results.push(skippedStep(base, `skipped: the run's ${plan.budgetMs / 60_000} min budget was used up`, streams));
      progress(`${tag}: skipped (time budget)`);
      continue;
    }
    const started = Date.now();
    let result: StepResult;
    try {
      const server = await resources.servers.acquire(variant);
      const context = { deployment, generators: resources.generators, stepTag: `b${index}`, round };
      result = await runStep(context, scenario, n, variant, server);
    } catch (error) {
      result = { ...skippedStep(base, '', streams), status: 'error', notes: [String(error).slice(0, 500)] };
      await resources.servers.release();
    }
    await resources.servers.afterStep();
    if (result.status !== 'ok') failedAt.set(key, n);
    results.push(result);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    progress(`${tag}: ${result.status}${result.notes.length ? ` (${result.notes.join('; ')})` : ''} in ${seconds} s`);
  }
  await resources.servers.release();
  return results;
}
