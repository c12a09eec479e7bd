import type { ReasoningMessagePart } from '@threadcast/contract';
import { partAttributes } from '@threadcast/react';
import { memo, useEffect, useState } from 'react';
import { formatDuration } from '../format/duration.ts';

/** The model's reasoning: open while it streams, folded away once it is done (the reader can open it again). */
export const ReasoningBlock = memo(function ReasoningBlock({ part }: { part: ReasoningMessagePart }) {
  const streaming = part.state === 'streaming';
  const [open, setOpen] = useState(streaming);
  useEffect(() => {
    if (!streaming) setOpen(false);
  }, [streaming]);
  const summary = streaming
    ? 'Reasoning…'
    : part.endedAt === undefined
      ? 'Reasoning'
      : `Reasoning · ${formatDuration(part.endedAt - part.startedAt)}`;
  return (
    <details className="reasoning" open={open} onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>{summary}</summary>
      <p className="reasoning-text" {...partAttributes(part)}>
        {part.text}
      </p>
    </details>
  );
});
