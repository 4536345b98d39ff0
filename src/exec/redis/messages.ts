/**
 * What driver and workers say to each other through Redis, signed (see signing.ts): the run's
 * announcement, job payloads, job results and control messages. Anything unsigned, wrongly signed
 * or malformed reads as undefined: it is ignored, or fails the one job it came with.
 */
import { CONTROL_MAX_AGE_MS, RUN_ID, type ControlMessage } from "./keys.js";
import type { Signer } from "./signing.js";

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
  return { payload: text, sig: signer.sign("job", run, jobId, text) };
}

/** The payload of a sealed job, or an error saying why it is refused. */
export function openJob(signer: Signer, run: string, jobId: string, data: unknown): unknown {
  const d = data as Partial<SealedJob> | null;
  if (typeof d !== "object" || d === null || typeof d.payload !== "string") throw new Error("job data is not a sealed payload");
  if (!signer.verify(d.sig, "job", run, jobId, d.payload)) throw new Error("job signature does not match (not sent by a driver holding the key)");
  return JSON.parse(d.payload) as unknown;
}

export function sealResult(signer: Signer, run: string, jobId: string, output: unknown): string {
  const text = JSON.stringify(output);
  return JSON.stringify({ output: text, sig: signer.sign("result", run, jobId, text) });
}

/** A worker's answer, or undefined when it was not signed by a worker holding the key. */
export function openResult(signer: Signer, run: string, jobId: string, value: unknown): unknown {
  try {
    const { output, sig } = (typeof value === "string" ? JSON.parse(value) : value) as { output?: unknown; sig?: unknown };
    if (typeof output !== "string" || !signer.verify(sig, "result", run, jobId, output)) return undefined;
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

/** The heartbeat value: signed, so a run cannot be kept alive by someone without the key. */
export function sealHeartbeat(signer: Signer, run: string): string {
  return signer.sign("alive", run);
}

export function checkHeartbeat(signer: Signer, run: string, value: string | null): boolean {
  return value !== null && signer.verify(value, "alive", run);
}
