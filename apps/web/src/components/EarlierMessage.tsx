import type { MessagePart, ThreadMessage } from '@threadcast/contract';
import { memo } from 'react';
import { MessageParts } from './MessageParts.tsx';
import { PromptBubble } from './PromptBubble.tsx';
import { ReplyMeta } from './ReplyMeta.tsx';

/** One finished exchange of the thread, as `thread.get` returned it. */
export const EarlierMessage = memo(function EarlierMessage({ message }: { message: ThreadMessage }) {
  // A reply stored before parts existed has its text only.
  const parts: MessagePart[] =
    message.parts.length > 0 || message.text === '' ? message.parts : [{ type: 'text', text: message.text }];
  return (
    <li className="exchange">
      <PromptBubble prompt={message.prompt} />
      <div className="reply" data-run-state={message.state}>
        <MessageParts parts={parts} live={false} />
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
