import type { RunState } from '@threadcast/contract';
import { type ConnectionState, connectionAttributes } from '@threadcast/react';

/** The run's state and the live connection's, in words (colour only repeats what the words say). */
export function ConnectionStatus({
  runState,
  connection,
}: {
  runState: RunState | 'idle';
  connection: ConnectionState;
}) {
  return (
    <p className="status" role="status" aria-label="Status">
      Run: <strong data-testid="run-state">{runState}</strong>
      <span aria-hidden="true"> · </span>
      Connection:{' '}
      <strong
        data-testid="connection-state"
        className={`conn conn-${connection}`}
        {...connectionAttributes(connection)}
      >
        {connection}
      </strong>
    </p>
  );
}
