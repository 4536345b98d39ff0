/**
 * The events as the server sends them to the page: job events (nearly all of a run's ~100,000)
 * as short arrays instead of objects, which cuts the bytes a viewer receives and parses about
 * four-fold. Each SSE message is a JSON array of items:
 *
 *   - an object: any other event (run, phase, iterate, end), as it is;
 *   - an array: a job event, [at, id, state, worker, seconds, phase, kind, iteration, slice, error]
 *       at         seconds, rounded to 0.1 ms
 *       state      index in JOB_STATES
 *       worker     0: none; n >= 1: the n-th worker named so far; a string: names the next worker
 *       seconds    number, or null for none
 *       phase, kind, iteration, slice: on a job's first event only (phase 0 reference, 1 parareal;
 *                  kind 0 fine, 1 coarse); null on later events that carry an error
 *       error      only when there is one
 *     trailing slots that are not needed are left out.
 *
 * The encoder remembers which jobs and workers it has named, so every viewer must read the
 * stream from its start (the server replays the whole history to each one); page/wire.ts decodes.
 */
import { JOB_STATES, type JobState, type RunEvent } from "./events.js";

export type WireItem = Exclude<RunEvent, { type: "job" }> | (number | string | null)[];

const STATE_INDEX = new Map<JobState, number>(JOB_STATES.map((s, i) => [s, i]));

export class WireEncoder {
  private readonly seen = new Set<number>();
  private readonly workers = new Map<string, number>();

  /** One event as the JSON text of its wire item. */
  encode(e: RunEvent): string {
    if (e.type !== "job") return JSON.stringify(e);
    const item: (number | string | null)[] = [Math.round(e.at * 1e4) / 1e4, e.id, STATE_INDEX.get(e.state)!];
    let worker: number | string = 0;
    if (e.worker !== undefined) {
      const known = this.workers.get(e.worker);
      if (known === undefined) {
        this.workers.set(e.worker, this.workers.size + 1);
        worker = e.worker;
      } else worker = known;
    }
    item.push(worker, e.seconds ?? null);
    if (!this.seen.has(e.id)) {
      this.seen.add(e.id);
      item.push(e.phase === "reference" ? 0 : 1, e.kind === "fine" ? 0 : 1, e.iteration, e.slice);
    } else if (e.error !== undefined) item.push(null, null, null, null);
    if (e.error !== undefined) item.push(e.error);
    // drop trailing "no worker, no seconds" of the common queued/running events
    while (item.length > 3 && (item[item.length - 1] === null || (item.length === 4 && item[3] === 0))) item.pop();
    return JSON.stringify(item);
  }
}
