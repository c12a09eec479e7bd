import type { MessagePart } from '@threadcast/contract';
import { partAttributes } from '@threadcast/react';
import { DataPartView } from './DataPartView.tsx';
import { Markdown } from './Markdown.tsx';
import { ReasoningBlock } from './ReasoningBlock.tsx';
import { StepDivider } from './StepDivider.tsx';
import { ToolCard } from './ToolCard.tsx';

/**
 * A reply's parts in order. Parts are appended and changed in place, never reordered, and an unchanged part
 * keeps its identity, so the memoised part views re-render only the part a new event changed.
 * `live`: the run is still going; `runId`: given for the live run, whose tools can be approved here.
 */
export function MessageParts({
  parts,
  live,
  runId,
  textTestId,
}: {
  parts: readonly MessagePart[];
  live: boolean;
  runId?: string | undefined;
  textTestId?: string;
}) {
  // A single step is the whole reply: it needs no divider.
  const stepped = parts.filter((part) => part.type === 'step-start').length > 1;
  return parts.map((part, i) => {
    switch (part.type) {
      case 'text':
        return <Markdown key={`text-${i}`} text={part.text} {...(textTestId ? { testId: textTestId } : {})} />;
      case 'reasoning':
        return <ReasoningBlock key={`reasoning-${part.id}`} part={part} />;
      case 'tool':
        return <ToolCard key={`tool-${part.toolCallId}`} part={part} live={live} runId={runId} />;
      case 'step-start':
        return stepped ? <StepDivider key={`step-${part.index}`} index={part.index} /> : null;
      case 'source-url':
        return (
          <p key={`source-${part.sourceId}`} className="source" {...partAttributes(part)}>
            Source:{' '}
            {/^https?:\/\//i.test(part.url) ? (
              <a href={part.url} target="_blank" rel="noopener noreferrer">
                {part.title ?? part.url}
              </a>
            ) : (
              (part.title ?? part.url)
            )}
          </p>
        );
      default:
        // `data`, the last kind.
        return <DataPartView key={`data-${part.name}-${part.id ?? i}`} part={part} />;
    }
  });
}
