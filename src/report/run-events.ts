/**
 * What a run tells the world as it goes, one JSON object per line in <output>/events.jsonl: the
 * dashboard follows it (live, or afterwards), as Dask's task stream. Times (`at`) are seconds
 * since the run started, on the driver's clock.
 */
export type JobState = "queued" | "running" | "done" | "reused" | "cancelled" | "failed";

export type RunEvent =
  | {
      type: "run";
      at: number;
      started: string;
      parameters: Record<string, unknown>;
      slices: number;
      maxIterations: number;
      tol: number;
      workers: number;
      executor: string;
      method: "parareal" | "mgrit";
    }
  | { type: "phase"; at: number; phase: "reference" | "parareal" }
  | { type: "job"; at: number; id: number; phase: "reference" | "parareal"; kind: "coarse" | "fine"; iteration: number; slice: number; state: JobState; worker?: string; seconds?: number; error?: string }
  | { type: "iterate"; at: number; iteration: number; maxdif: number | null; error?: number | null }
  | { type: "end"; at: number; status: "converged" | "not converged" | "failed" | "interrupted"; iterations: number; message?: string };

/** Any event without its time: `at` is added when it is logged. */
export type RunEventBody = RunEvent extends infer E ? (E extends RunEvent ? Omit<E, "at"> : never) : never;
