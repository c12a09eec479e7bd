import { isBusy, type MessagePart, type ThreadMessage, type ToolMessagePart } from '@threadcast/contract';
import type { UIMessage } from 'ai';
import type { ThreadcastMessageMetadata } from './metadata.ts';

export type ThreadcastUIMessage = UIMessage<ThreadcastMessageMetadata>;
type Part = ThreadcastUIMessage['parts'][number];

/**
 * `thread.get`'s messages as `useChat`'s: each run is its prompt (id `<runId>-prompt`) and its reply (id
 * `<runId>`, as the transport streams it). The reply of a run still in progress is left out, since
 * `useChat({ resume: true })` replays it whole; its prompt stays.
 */
export function threadMessagesToUIMessages(messages: readonly ThreadMessage[]): ThreadcastUIMessage[] {
  return messages.flatMap((message): ThreadcastUIMessage[] => {
    const prompt: ThreadcastUIMessage = {
      id: `${message.runId}-prompt`,
      role: 'user',
      parts: [{ type: 'text', text: message.prompt }],
    };
    if (isBusy(message.state)) return [prompt];
    const metadata: ThreadcastMessageMetadata = {
      runState: message.state,
      ...(message.reason === undefined ? {} : { reason: message.reason }),
      ...(message.usage === undefined ? {} : { usage: message.usage }),
      ...(message.model === undefined ? {} : { model: message.model }),
    };
    return [prompt, { id: message.runId, role: 'assistant', metadata, parts: message.parts.map(toUIPart) }];
  });
}

/** A folded part as the AI SDK's: the same fields; a tool is `tool-<name>`, a data part `data-<name>`. */
function toUIPart(part: MessagePart): Part {
  switch (part.type) {
    case 'text':
      return { type: 'text', text: part.text, state: 'done' };
    case 'reasoning':
      return { type: 'reasoning', id: part.id, text: part.text, state: part.state };
    case 'step-start':
      return { type: 'step-start' };
    case 'source-url':
      return {
        type: 'source-url',
        sourceId: part.sourceId,
        url: part.url,
        ...(part.title === undefined ? {} : { title: part.title }),
      };
    case 'data':
      return { type: `data-${part.name}`, ...(part.id === undefined ? {} : { id: part.id }), data: part.data };
    case 'tool':
      return toolPart(part);
  }
}

function toolPart(part: ToolMessagePart): Part {
  const base = { type: `tool-${part.toolName}` as const, toolCallId: part.toolCallId, input: part.input };
  const { approval } = part;
  switch (part.state) {
    case 'input-streaming':
      return { ...base, state: 'input-streaming', rawInput: part.inputText };
    case 'input-available':
      return { ...base, state: 'input-available' };
    case 'approval-requested':
      return { ...base, state: 'approval-requested', approval: { id: approval?.id ?? part.toolCallId } };
    case 'approval-responded':
      return {
        ...base,
        state: 'approval-responded',
        approval: {
          id: approval?.id ?? part.toolCallId,
          approved: approval?.approved ?? false,
          ...(approval?.reason === undefined ? {} : { reason: approval.reason }),
        },
      };
    case 'output-available':
      return {
        ...base,
        state: 'output-available',
        output: part.output,
        ...(approval === undefined ? {} : { approval: { id: approval.id, approved: true } }),
      };
    case 'output-error':
      return { ...base, state: 'output-error', errorText: part.errorText ?? 'the tool failed' };
    case 'output-denied':
      return {
        ...base,
        state: 'output-denied',
        approval: {
          id: approval?.id ?? part.toolCallId,
          approved: false,
          ...(approval?.reason === undefined ? {} : { reason: approval.reason }),
        },
      };
  }
}
