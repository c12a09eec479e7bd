import type { AppRouter } from '@threadcast/api';
import { createTRPCReact } from '@trpc/react-query';

/** Typed hooks for every procedure; the router is imported as a type only, so no server code reaches the bundle. */
export const trpc = createTRPCReact<AppRouter>();
