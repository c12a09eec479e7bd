import { type DataAttributes, partAttributes } from '@threadcast/react';
import { memo, useMemo } from 'react';
import { splitBlocks } from '../markdown/split-blocks.ts';
import { MarkdownBlock } from './MarkdownBlock.tsx';

const TEXT_PART: DataAttributes = partAttributes({ type: 'text', text: '' });

/** A reply's text as markdown, block by block (blocks only ever grow at the end, so their index is a stable key). */
export const Markdown = memo(function Markdown({ text, testId }: { text: string; testId?: string }) {
  const blocks = useMemo(() => splitBlocks(text), [text]);
  return (
    <div className="markdown" data-testid={testId} {...TEXT_PART}>
      {blocks.map((block, i) => (
        <MarkdownBlock key={i} text={block} />
      ))}
    </div>
  );
});
