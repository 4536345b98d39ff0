/**
 * Jobs whose inputs exist, waiting for a worker: a binary min-heap on (iteration, urgent first,
 * slice, submission order). Urgent jobs (the coarse chain) form the serial critical path of each
 * iteration, so they must not wait behind fine work.
 */
import type { JobInfo } from "./job.js";

export interface Ready {
  readonly info: JobInfo;
  readonly seq: number;
}

function less(a: Ready, b: Ready): boolean {
  if (a.info.iteration !== b.info.iteration) return a.info.iteration < b.info.iteration;
  if (a.info.urgent !== b.info.urgent) return a.info.urgent;
  if (a.info.slice !== b.info.slice) return a.info.slice < b.info.slice;
  return a.seq < b.seq;
}

export class ReadyQueue<E extends Ready> {
  private heap: E[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(e: E): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const [child, parent] = [h[i] as E, h[p] as E];
      if (!less(child, parent)) break;
      [h[i], h[p]] = [parent, child];
      i = p;
    }
  }

  pop(): E | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && less(h[l] as E, h[m] as E)) m = l;
        if (r < h.length && less(h[r] as E, h[m] as E)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m] as E, h[i] as E];
        i = m;
      }
    }
    return top;
  }
}
