import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { toString as mdastToString } from 'mdast-util-to-string';
import { gfm } from 'micromark-extension-gfm';

/** The text a reader sees of `markdown` once a UI renders it: markup gone, code and link text kept. */
export function renderedText(markdown: string): string {
  return mdastToString(fromMarkdown(markdown, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] }));
}

/**
 * Text reduced to what any rendering of it keeps: no whitespace (block elements and line breaks differ between
 * UIs) and no markdown marker characters (a reply still streaming shows a half-closed `**` or fence literally).
 * A doubled or missing word survives this; only a doubled marker or space would not, and the page's own
 * exactly-once check (`data-threadcast-complete`) covers those.
 */
export function comparableText(text: string): string {
  return text.replace(/[\s*_`#>|~]+/gu, '');
}

/** Where two texts part, as `…before⟦here⟧…`, for a failure message. */
export function whereTheyPart(shown: string, expected: string): string {
  let at = 0;
  while (at < shown.length && at < expected.length && shown[at] === expected[at]) at += 1;
  const from = Math.max(0, at - 40);
  const excerpt = (text: string) => `${from > 0 ? '…' : ''}${text.slice(from, at)}⟦${text.slice(at, at + 40)}⟧`;
  return `at character ${at}:\n  page shows ${excerpt(shown)}\n  history    ${excerpt(expected)}`;
}
