/** One dispatched Server-Sent Events message. `id` is the id field of this message only (null without one). */
export interface SseMessage {
  event: string;
  data: string;
  id: string | null;
}

/**
 * Incremental SSE parser (the WHATWG event-stream rules that matter here): lines end in LF, CRLF or CR;
 * a blank line dispatches; `:` lines are comments; one leading space after the colon is dropped; repeated
 * `data` lines join with LF. Field order is free (tRPC may send `data` before `id`).
 */
export class SseParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];
  private id: string | null = null;
  private hasFields = false;
  private skipLeadingLf = false;

  constructor(private readonly onMessage: (message: SseMessage) => void) {}

  push(chunk: string): void {
    this.buffer += chunk;
    let start = 0;
    const text = this.buffer;
    if (this.skipLeadingLf && text.charCodeAt(0) === 10) start = 1;
    this.skipLeadingLf = false;
    while (start < text.length) {
      const lf = text.indexOf('\n', start);
      const cr = text.indexOf('\r', start);
      const end = cr === -1 ? lf : lf === -1 ? cr : Math.min(cr, lf);
      if (end === -1) break;
      this.line(text.slice(start, end));
      start = end + 1;
      if (end === cr) {
        // A CR at the very end may be the first half of a CRLF split across chunks.
        if (start === text.length) this.skipLeadingLf = true;
        else if (text.charCodeAt(start) === 10) start += 1;
      }
    }
    this.buffer = text.slice(start);
  }

  private line(line: string): void {
    if (line === '') {
      this.dispatch();
      return;
    }
    if (line.charCodeAt(0) === 58) return; // ':' comment
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    this.hasFields = true;
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) this.id = value;
  }

  private dispatch(): void {
    if (this.hasFields) {
      this.onMessage({ event: this.event || 'message', data: this.data.join('\n'), id: this.id });
    }
    this.event = '';
    this.data = [];
    this.id = null;
    this.hasFields = false;
  }
}
