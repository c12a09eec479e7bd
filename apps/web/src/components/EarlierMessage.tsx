import { type ChatMessage, runAttributes } from '@threadcast/react';
import { memo } from 'react';
import { MessageParts } from './MessageParts.tsx';
import { PromptBubble } from './PromptBubble.tsx';
import { ReplyMeta } from './ReplyMeta.tsx';

/** One finished exchange of the thread. */
export const EarlierMessage = memo(function EarlierMessage({
  message,
  threadId,
}: {
  message: ChatMessage;
  threadId: string;
}) {
  return (
    <li className="exchange">
      {message.prompt !== null && <PromptBubble prompt={message.prompt} />}
      <div className="reply" data-run-state={message.state} {...runAttributes(message, threadId)}>
        <MessageParts parts={message.parts} live={false} />
        {message.state !== 'done' && (
          <p className={message.state === 'error' ? 'reply-note error' : 'reply-note'}>
            {message.reason ?? message.state}
          </p>
        )}
        <ReplyMeta model={message.model} usage={message.usage} finishReason={message.finishReason} />
      </div>
    </li>
  );
});
