/** The ids a thread's subscribers must receive in one step: `<epoch>:<first>` … `<epoch>:<last>`. */
export interface ExpectedRange {
  threadId: string;
  epoch: string;
  first: number;
  last: number;
}

export interface DeliveryCounts {
  received: number;
  missed: number;
  duplicates: number;
  /** Ids older than one already received (other than a repeat of the last one). */
  outOfOrder: number;
  /** Ids of another epoch or ending in a live-only suffix: not a consecutive history. */
  foreign: number;
}

/**
 * Checks one subscriber's ids: each must be the previous seq + 1 in the same epoch. Gaps count as missed;
 * a repeat of the newest id as a duplicate; anything older as out of order.
 */
export class DeliveryCheck {
  private epoch: string | null = null;
  private firstSeq = 0;
  private lastSeq = 0;
  private received = 0;
  private gaps = 0;
  private duplicates = 0;
  private outOfOrder = 0;
  private foreign = 0;
  /** Where the first gap was: the last seq before it and the seq after it. */
  private firstGap: [before: number, after: number] | null = null;
  private target = Number.POSITIVE_INFINITY;
  private onTarget: (() => void) | null = null;

  accept(id: string): void {
    this.received += 1;
    const colon = id.indexOf(':');
    const epoch = id.slice(0, colon);
    const seq = Number(id.slice(colon + 1));
    if (colon === -1 || !Number.isSafeInteger(seq)) {
      this.foreign += 1;
      return;
    }
    if (this.epoch === null) {
      this.epoch = epoch;
      this.firstSeq = seq;
      this.lastSeq = seq;
    } else if (epoch !== this.epoch) {
      this.foreign += 1;
      return;
    } else if (seq === this.lastSeq + 1) {
      this.lastSeq = seq;
    } else if (seq > this.lastSeq) {
      this.firstGap ??= [this.lastSeq, seq];
      this.gaps += seq - this.lastSeq - 1;
      this.lastSeq = seq;
    } else if (seq === this.lastSeq) {
      this.duplicates += 1;
    } else {
      this.outOfOrder += 1;
    }
    if (this.lastSeq >= this.target && this.onTarget) {
      const reached = this.onTarget;
      this.onTarget = null;
      reached();
    }
  }

  /** Calls `reached` (once) as soon as the seq `last` has been received; at once if it already was. */
  notifyAt(last: number, reached: () => void): void {
    this.target = last;
    if (this.epoch !== null && this.lastSeq >= last) reached();
    else this.onTarget = reached;
  }

  counts(expected: ExpectedRange | undefined): DeliveryCounts {
    const base = {
      received: this.received,
      duplicates: this.duplicates,
      outOfOrder: this.outOfOrder,
      foreign: this.foreign,
    };
    if (!expected) return { ...base, missed: this.gaps };
    const wanted = expected.last - expected.first + 1;
    if (this.epoch === null || this.epoch !== expected.epoch) return { ...base, missed: wanted };
    const head = Math.max(0, this.firstSeq - expected.first);
    const tail = Math.max(0, expected.last - this.lastSeq);
    return { ...base, missed: head + this.gaps + tail };
  }

  /** What a subscriber that missed events received, for an error sample. */
  describe(expected: ExpectedRange | undefined): string {
    const wanted = expected ? `${expected.epoch}:${expected.first}…${expected.last}` : 'nothing expected';
    if (this.epoch === null) return `received nothing (expected ${wanted})`;
    const gap = this.firstGap ? `, first gap ${this.firstGap[0]} → ${this.firstGap[1]}` : '';
    return `received ${this.epoch}:${this.firstSeq}…${this.lastSeq} with ${this.gaps} missing between${gap} (expected ${wanted})`;
  }
}
