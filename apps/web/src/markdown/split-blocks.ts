const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/**
 * Cuts markdown into top-level blocks at blank lines outside code fences, so a streaming reply re-renders
 * only its last block. A blank line followed by an indented line (a list item's next paragraph) does not
 * cut, nor does one inside a fence that is still open.
 */
export function splitBlocks(markdown: string): string[] {
  const lines = markdown.split('\n');
  const blocks: string[] = [];
  let current: string[] = [];
  let fence: string | null = null;
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] as string;
    const marker = FENCE.exec(line)?.[1];
    if (marker) {
      if (fence === null) fence = marker;
      else if (marker[0] === fence[0] && marker.length >= fence.length) fence = null;
    }
    const next = lines[i + 1];
    const cut = fence === null && line.trim() === '' && next !== undefined && next.trim() !== '' && !/^\s/.test(next);
    current.push(line);
    if (cut && current.some((l) => l.trim() !== '')) {
      blocks.push(current.join('\n'));
      current = [];
    }
  }
  if (current.length > 0) blocks.push(current.join('\n'));
  return blocks;
}
