/**
 * The run's events as the server sends them (wire.ts), encoded once for every viewer: sealed
 * blocks of consecutive events, each one SSE message in a Buffer that all viewers' sockets share
 * (a socket holds a reference, not a copy), and the newest events not yet in a block. A viewer
 * reads it one message at a time from where it is, so what a slow viewer has not read stays here,
 * once, not in its socket.
 */
import type { RunEvent } from "./events.js";
import { WireEncoder } from "./wire.js";

/** A block closes at this many events or bytes: the page parses one message at a time. */
const BLOCK_EVENTS = 2000;
const BLOCK_BYTES = 256 * 1024;

interface Block {
  /** index of its first event */
  readonly first: number;
  readonly count: number;
  /** `data: [item,item,...]\n\n` */
  readonly bytes: Buffer;
  /** where item i starts in `bytes`; starts[count] is one past the last item (where a comma would be) */
  readonly starts: Uint32Array;
}

/** One message's pieces (written in order) and the index of the event after its last one. */
export interface Message {
  readonly pieces: readonly (Buffer | string)[];
  readonly end: number;
}

const PREFIX = "data: [";
const SUFFIX = "]\n\n";

export class EncodedHistory {
  private blocks: Block[] = [];
  private tail: string[] = [];
  private tailBytes = 0;
  private encoder = new WireEncoder();

  get length(): number {
    return this.tailFirst + this.tail.length;
  }

  private get tailFirst(): number {
    const last = this.blocks[this.blocks.length - 1];
    return last === undefined ? 0 : last.first + last.count;
  }

  push(e: RunEvent): void {
    const item = this.encoder.encode(e);
    this.tail.push(item);
    this.tailBytes += item.length;
    if (this.tail.length >= BLOCK_EVENTS || this.tailBytes >= BLOCK_BYTES) this.seal();
  }

  clear(): void {
    this.blocks = [];
    this.tail = [];
    this.tailBytes = 0;
    this.encoder = new WireEncoder();
  }

  /** The message that carries events from `from` on: the rest of its block, or of the tail. */
  message(from: number): Message {
    const tailFirst = this.tailFirst;
    if (from >= tailFirst) return { pieces: [PREFIX + this.tail.slice(from - tailFirst).join(",") + SUFFIX], end: this.length };
    const b = this.blockOf(from);
    const end = b.first + b.count;
    if (from === b.first) return { pieces: [b.bytes], end };
    return { pieces: [PREFIX, b.bytes.subarray(b.starts[from - b.first]!, b.starts[b.count]! - 1), SUFFIX], end };
  }

  private seal(): void {
    const starts = new Uint32Array(this.tail.length + 1);
    let at = PREFIX.length;
    this.tail.forEach((item, i) => {
      starts[i] = at;
      at += Buffer.byteLength(item) + 1;
    });
    starts[this.tail.length] = at;
    this.blocks.push({ first: this.tailFirst, count: this.tail.length, bytes: Buffer.from(PREFIX + this.tail.join(",") + SUFFIX), starts });
    this.tail = [];
    this.tailBytes = 0;
  }

  /** The sealed block holding event `i` (binary search: blocks are in order). */
  private blockOf(i: number): Block {
    let lo = 0;
    let hi = this.blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.blocks[mid]!.first <= i) lo = mid;
      else hi = mid - 1;
    }
    return this.blocks[lo]!;
  }
}
