/**
 * Type-level test, checked by `pnpm typecheck`: the two ways docs/client.md gives a team with its own tRPC router.
 * 1. Mount threadcast's procedures in its router: its client is typed for both, and threadcast's hooks, typed by
 *    `ThreadcastRouter`, still fit that router. 2. Run a threadcast server beside its own: two typed clients.
 * A procedure whose input drifts fails here, as it would in the team's app.
 */
import { createStreamingClient, type ThreadcastRouter } from '@threadcast/client';
import { createTRPCClient } from '@trpc/client';
import { type inferRouterInputs, type inferRouterOutputs, initTRPC } from '@trpc/server';
import { z } from 'zod';
import type { HostRouter } from './examples/mount.ts';
import { api as host } from './examples/mount-client.ts';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
type SameRecord<A, B> =
  Equal<keyof A, keyof B> extends true
    ? { [K in keyof A]: K extends keyof B ? Equal<A[K], B[K]> : false }[keyof A]
    : false;

// 1. Mounted (docs/client.md's example, `examples/mount.ts`): the team's `billing` beside threadcast's procedures,
// served by one threadcast server.
export async function mounted() {
  const { price } = await host.billing.plan.query({ seats: 3 });
  const { runId } = await host.run.start.mutate({ threadId: 't', prompt: `${price}` });
  // @ts-expect-error the team's own input is checked
  await host.billing.plan.query({ seats: 'three' });
  // @ts-expect-error and so is threadcast's
  await host.run.start.mutate({ threadId: 't', prompt: 42 });
  return runId;
}

type HostIn = inferRouterInputs<HostRouter>;
type HostOut = inferRouterOutputs<HostRouter>;
type TcIn = inferRouterInputs<ThreadcastRouter>;
type TcOut = inferRouterOutputs<ThreadcastRouter>;

// 2. Beside: the team's own tRPC server, and a threadcast server at another URL.
const t = initTRPC.create();
const ownRouter = t.router({
  greet: t.procedure.input(z.object({ name: z.string() })).query(({ input }) => input.name),
});
const own = createTRPCClient<typeof ownRouter>({ links: [] });
const threadcast = createStreamingClient({ url: 'https://threadcast.example/trpc' });

export async function beside() {
  const name = await own.greet.query({ name: 'ada' });
  const { threadId } = await threadcast.trpc.thread.create.mutate({ title: name });
  // @ts-expect-error a threadcast input that drifts fails the app's typecheck
  await threadcast.trpc.run.start.mutate({ threadId, text: 'the field is called prompt' });
  return threadId;
}

export type MountChecks = [
  // Threadcast's hooks and clients are typed by ThreadcastRouter: on the host router every one of its procedures
  // takes and returns the same.
  Expect<SameRecord<HostIn['thread'], TcIn['thread']>>,
  Expect<SameRecord<HostIn['run'], TcIn['run']>>,
  Expect<SameRecord<HostIn['auth'], TcIn['auth']>>,
  Expect<SameRecord<HostOut['thread'], TcOut['thread']>>,
  Expect<SameRecord<HostOut['run'], TcOut['run']>>,
  Expect<Equal<HostIn['billing']['plan'], { seats: number }>>,
];
