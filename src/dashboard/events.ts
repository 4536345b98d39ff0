/**
 * What a run reports while it goes: one event per line of `<output>/events.jsonl`, and the same
 * objects handed in-process to the dashboard's feed. Pure types and checks (no Node imports): the
 * browser page compiles against this file too.
 */

export type JobState = "queued" | "running" | "done" | "reused" | "cancelled" | "failed";
export const JOB_STATES: readonly JobState[] = ["queued", "running", "done", "reused", "cancelled", "failed"];

export type Phase = "reference" | "parareal";
export type JobKind = "coarse" | "fine";
export type EndStatus = "converged" | "not converged" | "failed" | "interrupted";

/** First line: what the run is. */
export interface RunStartEvent {
  type: "run";
  /** seconds since the run's start, on the driver's clock (as for every event) */
  at: number;
  /** ISO time */
  started: string;
  parameters: Record<string, unknown>;
  slices: number;
  maxIterations: number;
  tol: number;
  workers: number;
  executor: string;
  method: "parareal" | "mgrit";
}

/** The serial fine reference (iteration 0 fine jobs in <output>/euler) runs before parareal. */
export interface PhaseEvent {
  type: "phase";
  at: number;
  phase: Phase;
}

/** A job changed state: queued -> running -> done | reused | failed | cancelled (cancelled may come straight from queued). */
export interface JobEvent {
  type: "job";
  at: number;
  /** unique within a run */
  id: number;
  phase: Phase;
  kind: JobKind;
  iteration: number;
  /** 1..slices: the interval [t_{slice-1}, t_slice] */
  slice: number;
  state: JobState;
  worker?: string;
  /** compute seconds measured by the worker (done, reused, failed) */
  seconds?: number;
  error?: string;
}

/** An iterate was checked: maxdif null for iteration 0; error = max |iterate - reference| when known. */
export interface IterateEvent {
  type: "iterate";
  at: number;
  iteration: number;
  maxdif: number | null;
  error?: number | null;
}

export interface EndEvent {
  type: "end";
  at: number;
  status: EndStatus;
  iterations: number;
  message?: string;
}

export type RunEvent = RunStartEvent | PhaseEvent | JobEvent | IterateEvent | EndEvent;

// Limits for lines read from a file anyone could have edited: big enough for any real run.
const MAX_TEXT = 4096;
const MAX_INDEX = 1e9;

type Fields = Record<string, unknown>;

const isObject = (v: unknown): v is Fields => typeof v === "object" && v !== null && !Array.isArray(v);
const isFinite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const isIndex = (v: unknown, min: number): v is number => Number.isInteger(v) && (v as number) >= min && (v as number) <= MAX_INDEX;
const isText = (v: unknown): v is string => typeof v === "string" && v.length <= MAX_TEXT;
const optional = <T>(v: unknown, check: (v: unknown) => v is T): boolean => v === undefined || check(v);
const isPhase = (v: unknown): v is Phase => v === "reference" || v === "parareal";
const isState = (v: unknown): v is JobState => typeof v === "string" && (JOB_STATES as readonly string[]).includes(v);
const isStatus = (v: unknown): v is EndStatus => v === "converged" || v === "not converged" || v === "failed" || v === "interrupted";
const isMaxdif = (v: unknown): v is number | null => v === null || (isFinite(v) && v >= 0);

/**
 * The event in `value` when it is a well-formed one, rebuilt with only the known fields (so
 * nothing unexpected travels on to the page); undefined otherwise.
 */
export function checkRunEvent(value: unknown): RunEvent | undefined {
  if (!isObject(value) || !isFinite(value.at) || value.at < 0) return undefined;
  const at = value.at;
  switch (value.type) {
    case "run": {
      const v = value;
      if (!isText(v.started) || !isObject(v.parameters) || !isIndex(v.slices, 1) || !isIndex(v.maxIterations, 0)) return undefined;
      if (!isFinite(v.tol) || !isIndex(v.workers, 0) || !isText(v.executor) || (v.method !== "parareal" && v.method !== "mgrit")) return undefined;
      // parameters are shown as text: keep them as given, but bounded
      if (JSON.stringify(v.parameters).length > 16 * MAX_TEXT) return undefined;
      return { type: "run", at, started: v.started, parameters: v.parameters, slices: v.slices, maxIterations: v.maxIterations, tol: v.tol, workers: v.workers, executor: v.executor, method: v.method };
    }
    case "phase":
      return isPhase(value.phase) ? { type: "phase", at, phase: value.phase } : undefined;
    case "job": {
      const v = value;
      if (!isIndex(v.id, 0) || !isPhase(v.phase) || (v.kind !== "coarse" && v.kind !== "fine") || !isIndex(v.iteration, 0) || !isIndex(v.slice, 1) || !isState(v.state)) return undefined;
      if (!optional(v.worker, isText) || !optional(v.error, isText) || !(v.seconds === undefined || (isFinite(v.seconds) && v.seconds >= 0))) return undefined;
      const e: JobEvent = { type: "job", at, id: v.id, phase: v.phase, kind: v.kind, iteration: v.iteration, slice: v.slice, state: v.state };
      if (v.worker !== undefined) e.worker = v.worker as string;
      if (v.seconds !== undefined) e.seconds = v.seconds as number;
      if (v.error !== undefined) e.error = v.error as string;
      return e;
    }
    case "iterate": {
      const v = value;
      if (!isIndex(v.iteration, 0) || !isMaxdif(v.maxdif) || !optional(v.error, isMaxdif)) return undefined;
      const e: IterateEvent = { type: "iterate", at, iteration: v.iteration, maxdif: v.maxdif };
      if (v.error !== undefined) e.error = v.error as number | null;
      return e;
    }
    case "end": {
      const v = value;
      if (!isStatus(v.status) || !isIndex(v.iterations, 0) || !optional(v.message, isText)) return undefined;
      const e: EndEvent = { type: "end", at, status: v.status, iterations: v.iterations };
      if (v.message !== undefined) e.message = v.message as string;
      return e;
    }
    default:
      return undefined;
  }
}

/**
 * Whether `e` fits the run it belongs to (`run`: the latest run event before it): a job's slice
 * within the run's slices and its iteration, like an iterate's, at most one beyond the run's
 * maximum (a few are queued ahead). Jobs and iterates before any run event fit no run: a run's
 * log starts with its run event. What does not fit is dropped before it reaches a viewer, whose
 * page draws a row per iteration and a column per slice.
 */
export function fitsRun(e: RunEvent, run: RunStartEvent | undefined): boolean {
  if (e.type === "job") return run !== undefined && e.slice <= run.slices && e.iteration <= run.maxIterations + 1;
  if (e.type === "iterate") return run !== undefined && e.iteration <= run.maxIterations + 1;
  return true;
}

/** One line of an events file: the event, or undefined for a line that is not one (bad JSON included). */
export function parseEventLine(line: string): RunEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  return checkRunEvent(value);
}
