import type { ToolMessagePart } from '@threadcast/contract';

/** What a tool call is doing, in words. `live`: its run is still going (otherwise an unfinished call stopped). */
export function toolStateLabel(part: ToolMessagePart, live: boolean): string {
  switch (part.state) {
    case 'input-streaming':
      return live ? 'Preparing arguments…' : 'Stopped';
    case 'input-available':
      return live ? 'Running…' : 'Stopped';
    case 'approval-requested':
      return live ? 'Waiting for your approval' : 'Not answered';
    case 'approval-responded':
      if (part.approval?.approved === false) return 'Denied';
      return live ? 'Approved · running…' : 'Approved';
    case 'output-available':
      return 'Done';
    case 'output-error':
      return 'Failed';
    case 'output-denied':
      return 'Denied';
  }
}

/** The tool's arguments: pretty once parsed, as streamed until then. */
export function toolArguments(part: ToolMessagePart): string {
  return part.input === undefined ? part.inputText : JSON.stringify(part.input, null, 2);
}
