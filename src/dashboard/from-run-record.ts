/**
 * A history for a run directory without events.jsonl: its run.json gives the parameters, every
 * job with its times (the first 20,000 of a run), each checked iterate and the outcome. run.json
 * is a file anyone could have edited: every event made from it passes the same check as a line of
 * events.jsonl (checkRunEvent), and what fails it is left out.
 */
import type { RunRecord } from "../archive/run-record.js";
import { summarisedParameters } from "../size-limits.js";
import { checkRunEvent, type RunEvent, type RunStartEvent } from "./events.js";

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const index = (v: unknown, min: number): number | undefined => (Number.isInteger(v) && (v as number) >= min ? (v as number) : undefined);

/** The run event, checked; with what it cannot vouch for (parameters) left out when it fails. */
function runEvent(record: RunRecord): RunStartEvent {
  const p: Record<string, unknown> = typeof record.parameters === "object" && record.parameters !== null ? record.parameters : {};
  const points = index(p.points, 2);
  let slices = points !== undefined ? points - 1 : 1;
  if (points === undefined) for (const j of record.jobs ?? []) slices = Math.max(slices, index(j.slice, 1) ?? 1);
  const workers = new Set((record.jobs ?? []).flatMap((j) => (typeof j.worker === "string" ? [j.worker] : [])));
  const run = {
    type: "run" as const,
    at: 0,
    started: record.started,
    // as the run itself logs them: a 100,000-point y0 is not sent whole to every viewer
    parameters: summarisedParameters(p),
    slices,
    maxIterations: index(p.maxIterations, 0) ?? slices,
    tol: num(p.tol) ?? 0,
    workers: record.workers ?? workers.size,
    executor: record.executor,
    method: p.method === "mgrit" ? ("mgrit" as const) : ("parareal" as const),
  };
  const checked = checkRunEvent(run) ?? checkRunEvent({ ...run, parameters: {} });
  if (checked?.type === "run") return checked;
  // nothing of the record holds up: a run of its slices, still a frame for its jobs
  return { ...run, started: "", parameters: {}, slices: Math.min(slices, 1e9), maxIterations: Math.min(run.maxIterations, 1e9), workers: 0, executor: "unknown" };
}

export function eventsFromRunRecord(record: RunRecord): RunEvent[] {
  const records = record.jobs ?? [];
  const candidates: unknown[] = [];
  records.forEach((j, id) => {
    const base = { type: "job", id, phase: j.phase, kind: j.kind === "coarse" ? "coarse" : "fine", iteration: j.iteration, slice: j.slice };
    const worker = j.worker === undefined ? {} : { worker: j.worker };
    candidates.push({ ...base, at: j.submitted, state: "queued" });
    if (j.started !== undefined) candidates.push({ ...base, ...worker, at: j.started, state: "running" });
    if (j.status !== undefined && j.finished !== undefined) candidates.push({ ...base, ...worker, at: j.finished, state: j.status, ...(j.seconds === undefined ? {} : { seconds: j.seconds }) });
  });
  const firstParareal = records.find((j) => j.phase === "parareal")?.submitted;
  if (records.some((j) => j.phase === "reference")) candidates.push({ type: "phase", at: 0, phase: "reference" });
  if (firstParareal !== undefined) candidates.push({ type: "phase", at: firstParareal, phase: "parareal" });
  // iterate times are counted from the parareal phase's start
  const offset = num(firstParareal) ?? 0;
  for (const it of record.iterates ?? []) {
    candidates.push({ type: "iterate", at: offset + it.at, iteration: it.iteration, maxdif: it.maxdif ?? null, ...(it.error === undefined ? {} : { error: it.error }) });
  }
  const events: RunEvent[] = [];
  for (const c of candidates) {
    const e = checkRunEvent(c);
    if (e) events.push(e);
  }
  const all = [runEvent(record), ...events].sort((a, b) => a.at - b.at || order(a) - order(b));
  if (record.status !== "running") {
    let last = 0;
    for (const e of all) last = Math.max(last, e.at);
    const iterations = record.iterations ?? (Array.isArray(record.maxdif) ? record.maxdif.length : 0);
    const end = checkRunEvent({ type: "end", at: last, status: record.status, iterations, message: "from run.json (this run wrote no events.jsonl)" });
    if (end) all.push(end);
  }
  return all;
}

/** At equal times: the run first, then phases, jobs, iterates. */
function order(e: RunEvent): number {
  return e.type === "run" ? 0 : e.type === "phase" ? 1 : e.type === "job" ? 2 : 3;
}
