import { memo } from 'react';
import ReactMarkdown, { type Components } from 'react-markdown';
import rehypeHighlight from 'rehype-highlight';
import remarkGfm from 'remark-gfm';
import { ExternalLink } from './ExternalLink.tsx';

// No rehype-raw: HTML in a reply is shown as text, and react-markdown's URL filter drops `javascript:` links.
const remarkPlugins = [remarkGfm];
const rehypePlugins = [rehypeHighlight];

const components: Components = { a: ExternalLink };

/** One top-level markdown block. Memoised by its text: blocks a stream has finished are never rendered again. */
export const MarkdownBlock = memo(function MarkdownBlock({ text }: { text: string }) {
  return (
    <ReactMarkdown remarkPlugins={remarkPlugins} rehypePlugins={rehypePlugins} components={components}>
      {text}
    </ReactMarkdown>
  );
});
