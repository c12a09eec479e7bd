import type { ToolMessagePart } from '@threadcast/contract';
import { partAttributes } from '@threadcast/react';
import { memo } from 'react';
import { toolArguments, toolStateLabel } from '../format/tool-state.ts';
import { ApprovalButtons } from './ApprovalButtons.tsx';

/**
 * One tool call: its name, its arguments as they stream, its state, then its output or error. `runId` is
 * given for the live run only, so only it offers Approve and Deny.
 */
export const ToolCard = memo(function ToolCard({
  part,
  live,
  runId,
}: {
  part: ToolMessagePart;
  live: boolean;
  runId?: string | undefined;
}) {
  const args = toolArguments(part);
  const failed = part.state === 'output-error';
  return (
    <section
      className="tool"
      aria-label={`Tool ${part.toolName}`}
      data-tool-state={part.state}
      {...partAttributes(part)}
    >
      <header className="tool-head">
        <code className="tool-name">{part.toolName}</code>
        <span className={`tool-state tool-state-${part.state}`}>{toolStateLabel(part, live)}</span>
      </header>
      {args !== '' && <pre className="tool-args">{args}</pre>}
      {part.approval?.reason && <p className="tool-note">Reason: {part.approval.reason}</p>}
      {part.state === 'approval-requested' && live && runId && (
        <ApprovalButtons runId={runId} toolCallId={part.toolCallId} toolName={part.toolName} />
      )}
      {part.output !== undefined && (
        <>
          <p className="tool-label">Output</p>
          <pre className="tool-output">{JSON.stringify(part.output, null, 2)}</pre>
        </>
      )}
      {failed && part.errorText && (
        <p className="tool-error" role={live ? 'alert' : undefined}>
          {part.errorText}
        </p>
      )}
    </section>
  );
});
