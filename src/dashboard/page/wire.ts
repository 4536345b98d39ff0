/**
 * Decoding the server's messages (format: ../wire.ts) back into events. Job events' fixed parts
 * (phase, kind, iteration, slice) come on a job's first event only; the decoder keeps them for the
 * job's later events. Like the encoder, a decoder reads one stream from its start.
 */
import type { JobEvent, JobState, RunEvent } from "../events.js";
import { STATES } from "./model.js";

type Fixed = Pick<JobEvent, "phase" | "kind" | "iteration" | "slice">;

export class WireDecoder {
  private readonly workers: string[] = [];
  private readonly fixedParts = new Map<number, Fixed>();

  /** The events of one message's items; items that cannot be read are left out. */
  decode(items: readonly unknown[]): RunEvent[] {
    const out: RunEvent[] = [];
    for (const item of items) {
      if (!Array.isArray(item)) {
        out.push(item as RunEvent);
        continue;
      }
      const [at, id, state, worker, seconds, phase, kind, iteration, slice, error] = item as [number, number, number, (number | string)?, (number | null)?, (number | null)?, (number | null)?, (number | null)?, (number | null)?, string?];
      let name: string | undefined;
      if (typeof worker === "string") {
        this.workers.push(worker);
        name = worker;
      } else if (typeof worker === "number" && worker > 0) name = this.workers[worker - 1];
      let fixed = this.fixedParts.get(id);
      if (typeof slice === "number") {
        fixed = { phase: phase === 0 ? "reference" : "parareal", kind: kind === 0 ? "fine" : "coarse", iteration: iteration ?? 0, slice };
        this.fixedParts.set(id, fixed);
      }
      const s: JobState | undefined = STATES[state];
      if (!fixed || s === undefined) continue;
      const e: JobEvent = { type: "job", at, id, ...fixed, state: s };
      if (name !== undefined) e.worker = name;
      if (typeof seconds === "number") e.seconds = seconds;
      if (typeof error === "string") e.error = error;
      out.push(e);
    }
    return out;
  }
}
