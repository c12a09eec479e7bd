import { createLinks } from '@threadcast/client';
import { createTRPCClient } from '@trpc/client';
import type { HostRouter } from './mount.ts';

/** One client, typed by your router: your procedures and threadcast's, on one connection setup. */
export const api = createTRPCClient<HostRouter>({ links: createLinks<HostRouter>({ url: '/trpc' }) });

export async function planAndRun(threadId: string) {
  const { price } = await api.billing.plan.query({ seats: 3 });
  return api.run.start.mutate({ threadId, prompt: `Explain a price of ${price}.` });
}
