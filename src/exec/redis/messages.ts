/**
 * What driver and workers say to each other through Redis, signed (see signing.ts): the run's
 * announcement, job payloads, job results and control messages. Anything unsigned, wrongly signed
 * or malformed reads as undefined: it is ignored, or fails the one job it came with.
 */
import { strippedLine } from "../../shown.js";
import { CONTROL_MAX_AGE_MS, HEARTBEAT_TIMEOUT_MS, RUN_ID, type ControlMessage } from "./keys.js";
import type { Signer } from "./signing.js";

/**
 * The largest job payload or result accepted, in characters of its JSON text: far above real ones
 * (an OpenFOAM state of 1e5 numbers is a few MB), and checked before hashing, so that a huge
 * unsigned job fails alone instead of exhausting a worker's memory.
 */
export const MAX_MESSAGE_CHARS = 64 * 2 ** 20;

function checkSize(text: string, what: string): void {
  if (text.length > MAX_MESSAGE_CHARS) throw new Error(`${what} is ${text.length} characters long; at most ${MAX_MESSAGE_CHARS} are accepted`);
}

/** What a run tells its workers before any job: where its files may be, what it may import. */
export interface Announcement {
  readonly run: string;
  /** the run's archive root (its output directory): every path of its jobs lies inside */
  readonly root: string;
  /** problem modules (file URLs) the run's jobs may name */
  readonly modules: readonly string[];
}

export function sealAnnouncement(signer: Signer, a: Announcement): string {
  const body = JSON.stringify({ run: a.run, root: a.root, modules: [...a.modules] });
  return JSON.stringify({ body, sig: signer.sign("announce", body) });
}

export function openAnnouncement(signer: Signer, run: string, text: string | null): Announcement | undefined {
  if (text === null) return undefined;
  try {
    const { body, sig } = JSON.parse(text) as { body?: unknown; sig?: unknown };
    if (typeof body !== "string" || !signer.verify(sig, "announce", body)) return undefined;
    const a = JSON.parse(body) as Partial<Announcement>;
    if (a.run !== run || typeof a.root !== "string" || !Array.isArray(a.modules) || !a.modules.every((m) => typeof m === "string")) return undefined;
    return { run, root: a.root, modules: a.modules };
  } catch {
    return undefined;
  }
}

/** A job as BullMQ stores it: the payload as text, and its signature bound to run and job id. */
export interface SealedJob {
  readonly payload: string;
  readonly sig: string;
}

export function sealJob(signer: Signer, run: string, jobId: string, payload: unknown): SealedJob {
  const text = JSON.stringify(payload);
  // workers refuse larger ones unread: say so here, once, rather than let them fail one by one
  checkSize(text, `job ${jobId}`);
  return { payload: text, sig: signer.sign("job", run, jobId, text) };
}

/** The payload of a sealed job, or an error saying why it is refused. */
export function openJob(signer: Signer, run: string, jobId: string, data: unknown): unknown {
  const d = data as Partial<SealedJob> | null;
  if (typeof d !== "object" || d === null || typeof d.payload !== "string") throw new Error("job data is not a sealed payload");
  checkSize(d.payload, "job data");
  if (!signer.verify(d.sig, "job", run, jobId, d.payload)) throw new Error("job signature does not match (not sent by a driver holding the key)");
  return JSON.parse(d.payload) as unknown;
}

export function sealResult(signer: Signer, run: string, jobId: string, output: unknown): string {
  const text = JSON.stringify(output);
  checkSize(text, `the result of job ${jobId}`);
  return JSON.stringify({ output: text, sig: signer.sign("result", run, jobId, text) });
}

/** A worker's answer, or undefined when it was not signed by a worker holding the key. */
export function openResult(signer: Signer, run: string, jobId: string, value: unknown): unknown {
  try {
    if (typeof value === "string") checkSize(value, "job result");
    const { output, sig } = (typeof value === "string" ? JSON.parse(value) : value) as { output?: unknown; sig?: unknown };
    if (typeof output !== "string" || output.length > MAX_MESSAGE_CHARS || !signer.verify(sig, "result", run, jobId, output)) return undefined;
    return JSON.parse(output) as unknown;
  } catch {
    return undefined;
  }
}

function controlParts(m: ControlMessage, at: number): string[] {
  return ["control", m.type, m.run, m.type === "cancel" ? m.jobs.join(",") : "", String(at)];
}

export function sealControl(signer: Signer, m: ControlMessage, now = Date.now()): string {
  return JSON.stringify({ ...m, at: now, sig: signer.sign(...controlParts(m, now)) });
}

/** A control message, or undefined when it is malformed, unsigned, or too old (a replay). */
export function openControl(signer: Signer, text: string, now = Date.now()): ControlMessage | undefined {
  try {
    const m = JSON.parse(text) as { type?: unknown; run?: unknown; jobs?: unknown; at?: unknown; sig?: unknown };
    if (typeof m.run !== "string" || !RUN_ID.test(m.run) || typeof m.at !== "number" || Math.abs(now - m.at) > CONTROL_MAX_AGE_MS) return undefined;
    let message: ControlMessage;
    if (m.type === "start" || m.type === "end") message = { type: m.type, run: m.run };
    else if (m.type === "cancel" && Array.isArray(m.jobs) && m.jobs.length <= 10_000 && m.jobs.every((j) => typeof j === "string")) message = { type: "cancel", run: m.run, jobs: m.jobs as string[] };
    else return undefined;
    return signer.verify(m.sig, ...controlParts(message, m.at)) ? message : undefined;
  } catch {
    return undefined;
  }
}

/** reasons a worker gives for a failed job are cut to this length before they are signed */
const MAX_REASON_CHARS = 4000;

/**
 * Why a job failed, as a worker tells its driver: the message of the error a BullMQ processor
 * throws (its failedReason), signed over run, job and reason, so that nobody without the key can
 * fail a run (or fill its terminal) with a reason of their own.
 */
export function sealFailure(signer: Signer, run: string, jobId: string, reason: string): string {
  const text = strippedLine(reason, MAX_REASON_CHARS);
  return JSON.stringify({ reason: text, sig: signer.sign("failed", run, jobId, text) });
}

/** The reason of a signed failure, as one line; undefined when it is not signed by a worker holding the key. */
export function openFailure(signer: Signer, run: string, jobId: string, failedReason: unknown): string | undefined {
  if (typeof failedReason !== "string" || failedReason.length > 2 * MAX_REASON_CHARS + 200) return undefined;
  try {
    const { reason, sig } = JSON.parse(failedReason) as { reason?: unknown; sig?: unknown };
    if (typeof reason !== "string" || !signer.verify(sig, "failed", run, jobId, reason)) return undefined;
    return strippedLine(reason);
  } catch {
    return undefined;
  }
}

/** The reason inside a failure this process sealed (for its own log); the text itself when it is not one. */
export function failureReason(failedReason: string): string {
  try {
    const { reason } = JSON.parse(failedReason) as { reason?: unknown };
    if (typeof reason === "string") return reason;
  } catch {
    // not sealed: a refusal, or BullMQ's own reason
  }
  return strippedLine(failedReason);
}

/**
 * The heartbeat: signed over the run and the time of the Redis server when it was given
 * (milliseconds of its TIME, so the clocks of driver and workers do not matter). A worker serves a
 * run only while its heartbeat is younger than HEARTBEAT_TIMEOUT_MS by that same clock: a heartbeat
 * recorded earlier and replayed (to keep a dead run alive, or to revive a finished one with its
 * recorded announcement and jobs) goes stale like the run it came from.
 */
export function sealHeartbeat(signer: Signer, run: string, at: number): string {
  return JSON.stringify({ at, sig: signer.sign("alive", run, String(at)) });
}

/** How old a heartbeat is at Redis time `now` (ms), or undefined when it is missing, unsigned or malformed. */
export function heartbeatAge(signer: Signer, run: string, value: string | null, now: number): number | undefined {
  if (value === null || value.length > 1000) return undefined;
  try {
    const { at, sig } = JSON.parse(value) as { at?: unknown; sig?: unknown };
    if (typeof at !== "number" || !Number.isSafeInteger(at) || !signer.verify(sig, "alive", run, String(at))) return undefined;
    return now - at;
  } catch {
    return undefined;
  }
}

/** Whether a heartbeat of this age vouches for a live driver (a clock stepped back counts alike). */
export function isFresh(age: number | undefined): age is number {
  return age !== undefined && Math.abs(age) <= HEARTBEAT_TIMEOUT_MS;
}
