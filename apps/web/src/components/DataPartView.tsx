import type { DataMessagePart } from '@threadcast/contract';
import { partAttributes } from '@threadcast/react';
import { memo } from 'react';

/**
 * An app's own part (`data-<name>`), shown as its name and its data, folded: the generic view, for an app that
 * has not drawn its parts with components of its own.
 */
export const DataPartView = memo(function DataPartView({ part }: { part: DataMessagePart }) {
  return (
    <details className="data-part" data-part-name={part.name} {...partAttributes(part)}>
      <summary>Data · {part.name}</summary>
      <pre className="data-part-json">{JSON.stringify(part.data, null, 2)}</pre>
    </details>
  );
});
