import { createStreamingClient } from '@threadcast/client';
import { EventSource } from 'eventsource';

const url = 'http://localhost:3000/trpc';
const { token } = await createStreamingClient({ url, EventSource }).trpc.auth.devLogin.mutate({ name: 'ada' });
const client = createStreamingClient({ url, getToken: () => token, EventSource });

const { threadId } = await client.trpc.thread.create.mutate({});
await client.trpc.run.start.mutate({ threadId, prompt: 'Hello!' });
for await (const { event } of client.events(threadId)) {
  if (event.type === 'token') process.stdout.write(event.content);
  if (event.type === 'done' || event.type === 'error') break;
}
