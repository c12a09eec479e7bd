/**
 * Markdown text and what a page that renders it shows, in one comparable form: the markup that rendering
 * removes (emphasis asterisks, code fences, list bullets) dropped and whitespace collapsed. A reply that is still streaming
 * may show a marker literally until its closing half arrives; dropping markers on both sides keeps "the page
 * shows a prefix of the reply" checkable token by token.
 */
export function comparable(text: string): string {
  return (
    text
      // Emphasis markers touch a word; an asterisk between spaces (`8 * 7`) is text.
      .replace(/\*+(?=\S)|(?<=\S)\*+/g, '')
      // A fence line, or one that is still arriving (a lone backtick shows until the fence is whole).
      .replace(/^`{1,3}\w*$/gm, '')
      .replace(/`/g, '')
      .replace(/^[-*] /gm, '')
      .replace(/\s+/g, ' ')
      .trim()
  );
}
