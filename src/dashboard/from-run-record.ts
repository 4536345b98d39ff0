/**
 * A history for a run directory without events.jsonl: its run.json gives the parameters, every
 * job with its times (the first 20,000 of a run), each checked iterate and the outcome.
 */
import type { RunRecord } from "../archive/run-record.js";
import type { JobEvent, RunEvent } from "./events.js";

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

export function eventsFromRunRecord(record: RunRecord): RunEvent[] {
  const p = record.parameters;
  const points = num(p.points);
  const records = record.jobs ?? [];
  const slices = points !== undefined ? points - 1 : Math.max(1, ...records.map((j) => j.slice));
  const workers = new Set(records.flatMap((j) => (j.worker === undefined ? [] : [j.worker])));
  const events: RunEvent[] = [
    {
      type: "run",
      at: 0,
      started: record.started,
      parameters: { ...p },
      slices,
      maxIterations: num(p.maxIterations) ?? slices,
      tol: num(p.tol) ?? 0,
      workers: record.workers ?? workers.size,
      executor: record.executor,
      method: p.method === "mgrit" ? "mgrit" : "parareal",
    },
  ];
  const jobs: JobEvent[] = [];
  records.forEach((j, id) => {
    const base = { type: "job" as const, id, phase: j.phase, kind: j.kind === "coarse" ? ("coarse" as const) : ("fine" as const), iteration: j.iteration, slice: j.slice };
    const worker = j.worker === undefined ? {} : { worker: j.worker };
    jobs.push({ ...base, at: j.submitted, state: "queued" });
    if (j.started !== undefined) jobs.push({ ...base, ...worker, at: j.started, state: "running" });
    if (j.status !== undefined && j.finished !== undefined) jobs.push({ ...base, ...worker, at: j.finished, state: j.status, ...(j.seconds === undefined ? {} : { seconds: j.seconds }) });
  });
  const firstParareal = records.find((j) => j.phase === "parareal")?.submitted;
  if (records.some((j) => j.phase === "reference")) events.push({ type: "phase", at: 0, phase: "reference" });
  if (firstParareal !== undefined) events.push({ type: "phase", at: firstParareal, phase: "parareal" });
  // iterate times are counted from the parareal phase's start
  const offset = firstParareal ?? 0;
  const iterates: RunEvent[] = (record.iterates ?? []).map((it) => ({ type: "iterate", at: offset + it.at, iteration: it.iteration, maxdif: it.maxdif ?? null, ...(it.error === undefined ? {} : { error: it.error }) }));
  const all = [...events, ...jobs, ...iterates].sort((a, b) => a.at - b.at || order(a) - order(b));
  if (record.status !== "running") {
    const at = Math.max(0, ...all.map((e) => e.at));
    all.push({ type: "end", at, status: record.status, iterations: record.iterations ?? (record.maxdif ?? []).length, message: "from run.json (this run wrote no events.jsonl)" });
  }
  return all;
}

/** At equal times: the run first, then phases, jobs, iterates. */
function order(e: RunEvent): number {
  return e.type === "run" ? 0 : e.type === "phase" ? 1 : e.type === "job" ? 2 : 3;
}
