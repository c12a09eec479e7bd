import type {
  ActivityEvent,
  approveToolInput,
  approveToolOutput,
  cancelRunOutput,
  createThreadInput,
  createThreadOutput,
  devLoginInput,
  devLoginOutput,
  listThreadsOutput,
  onActivityInput,
  onEventInput,
  renameThreadInput,
  runRefInput,
  runSchema,
  StreamEvent,
  sessionOutput,
  startRunInput,
  startRunOutput,
  threadDetailSchema,
  threadRefInput,
  threadSchema,
} from '@threadcast/contract';
import type {
  TRPCBuiltRouter,
  TRPCDefaultErrorShape,
  TRPCMutationProcedure,
  TRPCQueryProcedure,
  TRPCSubscriptionProcedure,
} from '@trpc/server';
import type { z } from 'zod';

type Query<In, Out> = TRPCQueryProcedure<{ input: In; output: Out; meta: object }>;
type Mutation<In, Out> = TRPCMutationProcedure<{ input: In; output: Out; meta: object }>;
type Subscription<In, Item> = TRPCSubscriptionProcedure<{
  input: In;
  output: AsyncIterable<{ id: string; data: Item }, void, undefined>;
  meta: object;
}>;
type In<T extends z.ZodType> = z.input<T>;
type Out<T extends z.ZodType> = z.output<T>;

/**
 * The procedures of a threadcast server, as a type: what `createTRPCClient<ThreadcastRouter>` and the hooks are
 * typed against, without importing any server code. It is written from the contract's schemas, and the
 * server's router is checked against it (a procedure that drifts from it fails the build).
 */
export type ThreadcastRouter = TRPCBuiltRouter<
  { ctx: object; meta: object; errorShape: TRPCDefaultErrorShape; transformer: false },
  {
    auth: {
      devLogin: Mutation<In<typeof devLoginInput>, Out<typeof devLoginOutput>>;
      startSession: Mutation<void, Out<typeof sessionOutput>>;
      endSession: Mutation<void, { ended: boolean }>;
      session: Query<void, Out<typeof sessionOutput>>;
    };
    thread: {
      create: Mutation<In<typeof createThreadInput>, Out<typeof createThreadOutput>>;
      get: Query<In<typeof threadRefInput>, Out<typeof threadDetailSchema>>;
      list: Query<void, Out<typeof listThreadsOutput>>;
      rename: Mutation<In<typeof renameThreadInput>, Out<typeof threadSchema>>;
      onActivity: Subscription<In<typeof onActivityInput>, ActivityEvent>;
      onEvent: Subscription<In<typeof onEventInput>, StreamEvent>;
    };
    run: {
      start: Mutation<In<typeof startRunInput>, Out<typeof startRunOutput>>;
      get: Query<In<typeof runRefInput>, Out<typeof runSchema>>;
      cancel: Mutation<In<typeof runRefInput>, Out<typeof cancelRunOutput>>;
      approveTool: Mutation<In<typeof approveToolInput>, Out<typeof approveToolOutput>>;
    };
  }
>;
