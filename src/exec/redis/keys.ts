/**
 * Where a run lives in Redis. Every key of ours starts with `parareal:`; a run's queue keys with
 * `parareal:run-<id>:`, so a run removes exactly its own keys when it ends.
 */
import type { Redis } from "ioredis";

export const PREFIX = "parareal";
/** the set of active runs, for workers that start after a run did */
export const RUNS_KEY = `${PREFIX}:runs`;
/** pub/sub: run started, run ended, job cancelled */
export const CONTROL_CHANNEL = `${PREFIX}:control`;

export function queueName(runId: string): string {
  return `run-${runId}`;
}

/** the set of workers attached to a run (inside the run's namespace, so cleaned with it) */
export function workersKey(runId: string): string {
  return `${PREFIX}:${queueName(runId)}:workers`;
}

/** the run's archive root: workers confine every path of the run's jobs to it */
export function rootKey(runId: string): string {
  return `${PREFIX}:${queueName(runId)}:root`;
}

/** the problem modules a run names: workers import no other */
export function modulesKey(runId: string): string {
  return `${PREFIX}:${queueName(runId)}:modules`;
}

/** the driver's heartbeat: a run whose driver died (SIGKILL, lost node) is dropped by its workers */
export function aliveKey(runId: string): string {
  return `${PREFIX}:${queueName(runId)}:alive`;
}
export const HEARTBEAT_MS = 3000;
/** a run without a heartbeat this long is taken for dead */
export const HEARTBEAT_TIMEOUT_MS = 15_000;

export type ControlMessage =
  | { readonly type: "start"; readonly run: string }
  | { readonly type: "end"; readonly run: string }
  | { readonly type: "cancel"; readonly run: string; readonly jobs: string[] };

export function parseControl(text: string): ControlMessage | undefined {
  try {
    const m = JSON.parse(text) as Partial<ControlMessage>;
    if (typeof m.run !== "string" || !/^[\w.-]{1,128}$/.test(m.run)) return undefined;
    if (m.type === "start" || m.type === "end") return { type: m.type, run: m.run };
    if (m.type === "cancel" && Array.isArray(m.jobs) && m.jobs.every((j) => typeof j === "string")) return { type: "cancel", run: m.run, jobs: m.jobs };
  } catch {
    // not ours: ignore
  }
  return undefined;
}

/** Delete every key of a run (its BullMQ queue and anything left by workers). */
export async function deleteRunKeys(redis: Redis, runId: string): Promise<number> {
  const pattern = `${PREFIX}:${queueName(runId)}:*`;
  let cursor = "0";
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.del(...keys);
  } while (cursor !== "0");
  return deleted;
}
