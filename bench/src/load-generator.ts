/**
 * Load generator child process. The orchestrator drives it over IPC: `open` N subscriptions (SSE, or the
 * Redis floor), `settle` (wait for a warm-up event, then count afresh), `finish` (wait until every subscriber
 * has the step's last id, then report), `close`.
 * Run as its own process so the client side of the benchmark never shares an event loop with the
 * publisher or the measurements.
 */
import type { Load } from './load.ts';
import type { LoadCommand, LoadReply } from './protocol.ts';
import { RedisFloorLoad } from './redis-floor-load.ts';
import { SseLoad } from './sse-load.ts';

let load: Load | null = null;

function send(reply: LoadReply): void {
  process.send?.(reply);
}

async function handle(command: LoadCommand): Promise<void> {
  switch (command.type) {
    case 'open': {
      await load?.close();
      const { target, streams } = command;
      const opened =
        target.kind === 'sse'
          ? await SseLoad.open(target, streams, command.concurrency, command.timeoutMs)
          : await RedisFloorLoad.open(target.redisUrl, streams);
      load = opened.load;
      send(opened.reply);
      return;
    }
    case 'settle':
      if (!load) throw new Error('settle before open');
      send({ type: 'settled', caughtUp: await load.settle(command.expected, command.timeoutMs) });
      return;
    case 'finish':
      if (!load) throw new Error('finish before open');
      send(await load.finish(command.expected, command.timeoutMs));
      return;
    case 'close':
      await load?.close();
      load = null;
      send({ type: 'closed' });
      return;
  }
}

process.on('message', (command: LoadCommand) => {
  handle(command).catch((error: unknown) => {
    send({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  });
});
// The orchestrator went away (crash, Ctrl-C): nothing left to report to.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
