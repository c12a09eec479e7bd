import type { AppRouter } from '@threadcast/api';
import type { inferRouterError, inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { ThreadcastRouter } from './router.ts';

/**
 * The published router type must be the server's, procedure by procedure: `pnpm typecheck` fails here on any
 * drift, and the error names the procedure (e.g. `Type '"run.list"' does not satisfy the constraint 'never'`: a
 * procedure the server has and `ThreadcastRouter` in router.ts does not, or whose input or output differs).
 */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
type None<T extends never> = T;

/** `router.procedure` for each procedure of an inferred router record. */
type Paths<R> = { [K in keyof R & string]: `${K}.${keyof R[K] & string}` }[keyof R & string];
type At<R, P> = P extends `${infer Router}.${infer Procedure}`
  ? Router extends keyof R
    ? Procedure extends keyof R[Router]
      ? R[Router][Procedure]
      : never
    : never
  : never;
/** A subscription's output by what it yields (a generator and a push stream end and take `next` differently). */
type Items<T> = T extends AsyncIterable<infer Item> ? { yields: Item } : T;
/** The procedures both have whose types differ. */
type Differing<A, B> = {
  [P in Paths<A> & Paths<B>]: Equal<Items<At<A, P>>, Items<At<B, P>>> extends true ? never : P;
}[Paths<A> & Paths<B>];

type ServerIn = inferRouterInputs<AppRouter>;
type ClientIn = inferRouterInputs<ThreadcastRouter>;
type ServerOut = inferRouterOutputs<AppRouter>;
type ClientOut = inferRouterOutputs<ThreadcastRouter>;

// A check that can fail: a router with one input changed is told apart.
type Drifted = Omit<ClientIn, 'run'> & {
  run: Omit<ClientIn['run'], 'start'> & { start: { threadId: string; prompt: number } };
};
// @ts-expect-error run.start's input differs
type CatchesDrift = None<Differing<ServerIn, Drifted>>;

export type RouterChecks = [
  // On the server, not in ThreadcastRouter: add it there.
  None<Exclude<Paths<ServerIn>, Paths<ClientIn>>>,
  // In ThreadcastRouter, not on the server.
  None<Exclude<Paths<ClientIn>, Paths<ServerIn>>>,
  None<Differing<ServerIn, ClientIn>>,
  None<Differing<ServerOut, ClientOut>>,
  Expect<Equal<inferRouterError<AppRouter>, inferRouterError<ThreadcastRouter>>>,
  CatchesDrift,
];
