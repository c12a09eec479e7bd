import type { AppRouter } from '@threadcast/api';
import type { inferRouterError, inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { ThreadcastRouter } from './router.ts';

// The published router type must be the server's, procedure by procedure: a drift fails `pnpm typecheck`.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
/** Same procedures, each with the same type (compared one by one: the records themselves are built differently). */
type SameRecord<A, B> =
  Equal<keyof A, keyof B> extends true
    ? { [K in keyof A]: K extends keyof B ? Equal<A[K], B[K]> : false }[keyof A]
    : false;

type ServerIn = inferRouterInputs<AppRouter>;
type ClientIn = inferRouterInputs<ThreadcastRouter>;
type ServerOut = inferRouterOutputs<AppRouter>;
type ClientOut = inferRouterOutputs<ThreadcastRouter>;

type SameProcedures = Expect<Equal<keyof ServerIn, keyof ClientIn>>;
type SameAuth = Expect<SameRecord<ServerIn['auth'], ClientIn['auth']>>;
type SameThreadIn = Expect<SameRecord<ServerIn['thread'], ClientIn['thread']>>;
type SameRunIn = Expect<SameRecord<ServerIn['run'], ClientIn['run']>>;
type SameAuthOut = Expect<SameRecord<ServerOut['auth'], ClientOut['auth']>>;
type SameThreadOut = Expect<SameRecord<ServerOut['thread'], ClientOut['thread']>>;
type SameRunOut = Expect<SameRecord<ServerOut['run'], ClientOut['run']>>;
type SameErrors = Expect<Equal<inferRouterError<AppRouter>, inferRouterError<ThreadcastRouter>>>;

// A check that can fail: a router with one input changed is told apart.
type Drifted = Omit<ClientIn['run'], 'start'> & { start: { threadId: string; prompt: number } };
// @ts-expect-error a drifted input is not the server's
type CatchesDrift = Expect<SameRecord<ServerIn['run'], Drifted>>;

export type RouterChecks = [
  SameProcedures,
  SameAuth,
  SameThreadIn,
  SameRunIn,
  SameAuthOut,
  SameThreadOut,
  SameRunOut,
  SameErrors,
  CatchesDrift,
];
