/**
 * The soak's stream churn, in a child process of its own so that the orchestrator's event loop, which
 * times the server's `/healthz` answers, never waits behind the parsing of a thousand streams.
 */
import type { ChurnCommand, ChurnReply } from './churn-protocol.ts';
import { StreamChurn } from './stream-churn.ts';

let churn: StreamChurn | null = null;

function send(reply: ChurnReply): void {
  process.send?.(reply);
}

process.on('message', (command: ChurnCommand) => {
  try {
    switch (command.type) {
      case 'start':
        churn = new StreamChurn(command.plan);
        churn.start();
        return;
      case 'report':
        if (!churn) throw new Error('report before start');
        send({ type: 'report', report: churn.report() });
        return;
      case 'stop':
        if (!churn) throw new Error('stop before start');
        send({ type: 'stopped', report: churn.stop() });
        return;
    }
  } catch (error) {
    send({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
// The orchestrator went away (crash, Ctrl-C): nothing left to report to.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
