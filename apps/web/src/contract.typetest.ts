/**
 * Type-level test, checked by `pnpm typecheck`: the web client's hooks take and return exactly the
 * contract's types. If a procedure drifts from its contract schema, one of these lines stops compiling.
 */
import type {
  ApproveToolInput,
  ApproveToolOutput,
  approveToolInput,
  CreateThreadInput,
  CreateThreadOutput,
  createThreadInput,
  DeltaPart,
  DevLoginOutput,
  ListThreadsOutput,
  MessagePart,
  OnEventInput,
  onEventInput,
  StartRunInput,
  StartRunOutput,
  StreamEvent,
  startRunInput,
  ThreadDetail,
} from '@threadcast/contract';
import type { threadcast as trpc } from '@threadcast/react';
import type { z } from 'zod';

type Expect<T extends true> = T;
/** Mutual assignability: tRPC and zod spell the same shape in different ways, so exact identity is too strict. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

type CreateThread = ReturnType<typeof trpc.thread.create.useMutation>;
type StartRun = ReturnType<typeof trpc.run.start.useMutation>;
type DevLogin = ReturnType<typeof trpc.auth.devLogin.useMutation>;
type ApproveTool = ReturnType<typeof trpc.run.approveTool.useMutation>;
type ThreadGet = NonNullable<ReturnType<ReturnType<typeof trpc.useUtils>['thread']['get']['getData']>>;
type DeltaContent = Extract<SubscriptionData['data'], { type: 'delta' }>['content'];
type SubscriptionInput = Exclude<Parameters<typeof trpc.thread.onEvent.useSubscription>[0], symbol>;
type SubscriptionData = Parameters<
  NonNullable<NonNullable<Parameters<typeof trpc.thread.onEvent.useSubscription>[1]>['onData']>
>[0];

export type ContractChecks = [
  Expect<Same<Parameters<CreateThread['mutate']>[0], z.input<typeof createThreadInput>>>,
  Expect<Same<NonNullable<CreateThread['data']>, CreateThreadOutput>>,
  Expect<Same<Parameters<StartRun['mutate']>[0], z.input<typeof startRunInput>>>,
  Expect<Same<NonNullable<StartRun['data']>, StartRunOutput>>,
  Expect<Same<NonNullable<DevLogin['data']>, DevLoginOutput>>,
  Expect<
    Same<NonNullable<ReturnType<ReturnType<typeof trpc.useUtils>['thread']['list']['getData']>>, ListThreadsOutput>
  >,
  Expect<Same<SubscriptionInput, z.input<typeof onEventInput>>>,
  Expect<Same<SubscriptionData, { id: string; data: StreamEvent }>>,
  Expect<Same<Parameters<ApproveTool['mutate']>[0], z.input<typeof approveToolInput>>>,
  Expect<Same<NonNullable<ApproveTool['data']>, ApproveToolOutput>>,
  Expect<Same<ThreadGet, ThreadDetail>>,
  Expect<Same<ThreadGet['messages'][number]['parts'][number], MessagePart>>,
  Expect<Same<DeltaContent, DeltaPart>>,
  // Parsed inputs (what the server sees) are the contract's types too.
  Expect<Same<z.output<typeof createThreadInput>, CreateThreadInput>>,
  Expect<Same<z.output<typeof startRunInput>, StartRunInput>>,
  Expect<Same<z.output<typeof onEventInput>, OnEventInput>>,
  Expect<Same<z.output<typeof approveToolInput>, ApproveToolInput>>,
];

// Drift is caught: each line below compares a hook with a type that differs from the contract in one way.
export type DriftIsCaught = [
  // @ts-expect-error an output with an extra field is not the contract's output
  Expect<Same<NonNullable<StartRun['data']>, StartRunOutput & { queuedAt: number }>>,
  // @ts-expect-error an input missing the prompt is not the contract's input
  Expect<Same<Parameters<StartRun['mutate']>[0], { threadId: string }>>,
  // @ts-expect-error events carry `ts` as a number, not a string
  Expect<Same<SubscriptionData, { id: string; data: Omit<StreamEvent, 'ts'> & { ts: string } }>>,
  // @ts-expect-error an approval needs its answer
  Expect<Same<Parameters<ApproveTool['mutate']>[0], Omit<ApproveToolInput, 'approved'>>>,
  // @ts-expect-error a tool part's state is one of the contract's states, not any string
  Expect<Same<ThreadGet['messages'][number]['parts'][number], MessagePart | { type: 'tool'; state: string }>>,
  // @ts-expect-error a delta's part is the contract's union, not an open record
  Expect<Same<DeltaContent, { type: string; [key: string]: unknown }>>,
];
