import type { UIMessage } from 'ai';

/**
 * The prompt of a new run: the text of the conversation's last message, which must be the user's. A run
 * continues on the server by itself (tools, approvals through `run.approveTool`), so there is never an
 * assistant message to send back.
 */
export function lastUserPrompt(messages: readonly UIMessage[]): string {
  const last = messages.at(-1);
  if (!last) throw new TypeError('threadcast needs a user message to start a run: the conversation is empty');
  if (last.role !== 'user') {
    throw new TypeError(
      `threadcast starts a run from a user message, and the last message is the ${last.role}'s: runs continue on the server (answer a tool approval with run.approveTool, not addToolApprovalResponse)`,
    );
  }
  const prompt = last.parts
    .flatMap((part) => (part.type === 'text' ? [part.text] : []))
    .join('\n')
    .trim();
  if (prompt === '') throw new TypeError('threadcast starts a run from text, and the last user message has none');
  return prompt;
}
