import { threadcast } from '@threadcast/react';

/** Approve or deny a tool the run waits on. A refusal (already answered elsewhere, run gone) is shown. */
export function ApprovalButtons({
  runId,
  toolCallId,
  toolName,
}: {
  runId: string;
  toolCallId: string;
  toolName: string;
}) {
  const approve = threadcast.run.approveTool.useMutation();
  const answer = (approved: boolean) => approve.mutate({ runId, toolCallId, approved });
  return (
    <div className="approval">
      <button type="button" disabled={approve.isPending} onClick={() => answer(true)}>
        Approve
      </button>
      <button type="button" className="secondary" disabled={approve.isPending} onClick={() => answer(false)}>
        Deny
      </button>
      {approve.error && (
        <p role="alert" className="error">
          Could not answer for {toolName}: {approve.error.message}
        </p>
      )}
    </div>
  );
}
