import type { ComponentProps } from 'react';

/** A link in a reply: opens in a new tab that cannot reach back into this one. */
export function ExternalLink({ node: _node, ...props }: ComponentProps<'a'> & { node?: unknown }) {
  return <a {...props} target="_blank" rel="noopener noreferrer" />;
}
