import { createStreamingClient } from '@threadcast/client';
import { EventSource } from 'eventsource'; // Node 20 has no global EventSource

// The server's address; its tRPC endpoint is /trpc.
const url = `${process.env.THREADCAST_URL ?? 'http://localhost:3000'}/trpc`;

// Sign in. Dev login works on a server in dev mode (or with AUTH_DEV_LOGIN=1); elsewhere use your identity
// provider's token, or `pnpm mint-token <userId>`.
const guest = createStreamingClient({ url, EventSource });
const { token } = await guest.trpc.auth.devLogin.mutate({ name: 'node-example' });
const client = createStreamingClient({ url, getToken: () => token, EventSource });

const { threadId } = await client.trpc.thread.create.mutate({ title: 'From Node' });
const { runId } = await client.trpc.run.start.mutate({ threadId, prompt: 'What is 6 times 7?' });
console.log(`thread ${threadId}, run ${runId}`);

// Without a lastEventId the stream starts at the thread's latest run: this one, from its first event.
for await (const { event } of client.events(threadId)) {
  if (event.runId !== runId) continue;
  if (event.type === 'token') process.stdout.write(event.content);
  if (event.type === 'error') throw new Error(`the run failed: ${event.content.message}`);
  if (event.type === 'status' && event.content.state === 'cancelled') throw new Error('the run was cancelled');
  if (event.type === 'done') break; // Leaving the loop closes the stream.
}
process.stdout.write('\n');
