/**
 * A stand-in history for a run directory without events.jsonl (a run made before the events
 * file existed): its run.json gives the parameters, the maxdif per iteration, the outcome and,
 * per job, its worker and compute time, but not when a job ran. The jobs are laid out back to
 * back on their workers (the reference first), so the grid, the counts and the convergence chart
 * are right while the task stream's times are approximate, as the end message says.
 */
import type { RunRecord } from "../archive/run-record.js";
import type { JobEvent, Phase, RunEvent } from "./events.js";

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

export function eventsFromRunRecord(record: RunRecord): RunEvent[] {
  const p = record.parameters;
  const points = num(p.points);
  const records = record.jobs ?? [];
  const slices = points !== undefined ? points - 1 : Math.max(1, ...records.map((j) => j.slice));
  const workers = [...new Set(records.map((j) => j.worker))];
  const threads = /\((\d+)\)/.exec(record.executor)?.[1];
  const events: RunEvent[] = [
    {
      type: "run",
      at: 0,
      started: record.started,
      parameters: { ...p },
      slices,
      maxIterations: num(p.maxIterations) ?? slices,
      tol: num(p.tol) ?? 0,
      workers: threads !== undefined ? Number(threads) : workers.length,
      executor: record.executor,
      method: p.method === "mgrit" ? "mgrit" : "parareal",
    },
  ];
  // the reference is iteration 0's fine jobs; parareal's iteration 0 is coarse only
  const isReference = (j: { kind: string; iteration: number }): boolean => j.kind === "fine" && j.iteration === 0;
  const ordered = [...records.filter(isReference), ...records.filter((j) => !isReference(j))];
  const clock = new Map<string, number>();
  const jobs: JobEvent[] = [];
  let referenceEnd = 0;
  const iterationEnd = new Map<number, number>();
  ordered.forEach((j, id) => {
    const phase: Phase = isReference(j) ? "reference" : "parareal";
    const start = phase === "parareal" ? Math.max(clock.get(j.worker) ?? 0, referenceEnd) : (clock.get(j.worker) ?? 0);
    const end = start + j.seconds;
    clock.set(j.worker, end);
    if (phase === "reference") referenceEnd = Math.max(referenceEnd, end);
    else iterationEnd.set(j.iteration, Math.max(iterationEnd.get(j.iteration) ?? 0, end));
    const base = { type: "job" as const, id, phase, kind: j.kind === "coarse" ? ("coarse" as const) : ("fine" as const), iteration: j.iteration, slice: j.slice, worker: j.worker };
    jobs.push({ ...base, at: start, state: "running" }, { ...base, at: end, state: "reused" in j && j.reused ? "reused" : "done", seconds: j.seconds });
  });
  jobs.sort((a, b) => a.at - b.at);
  const reference = records.some(isReference);
  if (reference) events.push({ type: "phase", at: 0, phase: "reference" });
  let at = 0;
  let inParareal = false;
  for (const e of jobs) {
    if (e.phase === "parareal" && !inParareal) {
      events.push({ type: "phase", at: referenceEnd, phase: "parareal" });
      inParareal = true;
    }
    events.push(e);
    at = Math.max(at, e.at);
  }
  // iterates checked as their last job ended (never before the one before)
  const maxdif = record.maxdif ?? [];
  let checked = iterationEnd.get(0) ?? referenceEnd;
  const iterates: RunEvent[] = [{ type: "iterate", at: checked, iteration: 0, maxdif: null }];
  maxdif.forEach((d, i) => {
    checked = Math.max(checked, iterationEnd.get(i + 1) ?? checked);
    iterates.push({ type: "iterate", at: checked, iteration: i + 1, maxdif: d });
  });
  const all = [...events, ...(maxdif.length > 0 ? iterates : [])].sort((a, b) => a.at - b.at || order(a) - order(b));
  if (record.status !== "running") {
    const end = Math.max(at, checked, record.wallSeconds !== undefined ? referenceEnd + record.wallSeconds : 0);
    all.push({
      type: "end",
      at: end,
      status: record.status,
      iterations: record.iterations ?? maxdif.length,
      message: "from run.json (this run wrote no events.jsonl): the task stream's times are approximate",
    });
  }
  return all;
}

/** At equal times: the run first, then phases, jobs, iterates. */
function order(e: RunEvent): number {
  return e.type === "run" ? 0 : e.type === "phase" ? 1 : e.type === "job" ? 2 : 3;
}
