/**
 * Where a run lives in Redis. Every key of ours starts with `parareal:`; a run's keys with
 * `parareal:run-<id>:`, so a run removes exactly its own keys when it ends.
 */
import type { Redis } from "ioredis";

export const PREFIX = "parareal";
/** the set of active runs, for workers that start after a run did */
export const RUNS_KEY = `${PREFIX}:runs`;
/** pub/sub: run started, run ended, job cancelled (signed) */
export const CONTROL_CHANNEL = `${PREFIX}:control`;
/** run ids: short, no separators of Redis keys or paths */
export const RUN_ID = /^[\w.-]{1,128}$/;

export function queueName(runId: string): string {
  return `run-${runId}`;
}

/** the set of workers attached to a run (inside the run's namespace, so cleaned with it) */
export function workersKey(runId: string): string {
  return `${PREFIX}:${queueName(runId)}:workers`;
}

/** the run's signed announcement: its archive root and problem modules */
export function announceKey(runId: string): string {
  return `${PREFIX}:${queueName(runId)}:announce`;
}

/** the driver's heartbeat: a run whose driver died (SIGKILL, lost node) is dropped by its workers */
export function aliveKey(runId: string): string {
  return `${PREFIX}:${queueName(runId)}:alive`;
}
/** a job's hash, where BullMQ keeps its data, state fields, result and failure reason */
export function jobKey(runId: string, jobId: string): string {
  return `${PREFIX}:${queueName(runId)}:${jobId}`;
}

/** The Redis server's clock in milliseconds: the one clock every driver and worker of it shares. */
export async function redisTime(redis: Redis): Promise<number> {
  const [seconds, micros] = await redis.time();
  const ms = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  if (!Number.isSafeInteger(ms)) throw new Error("Redis TIME gave no time");
  return ms;
}

export const HEARTBEAT_MS = 3000;
/** a run without a heartbeat this long is taken for dead */
export const HEARTBEAT_TIMEOUT_MS = 15_000;
/** control messages older than this are ignored (replays) */
export const CONTROL_MAX_AGE_MS = 120_000;

export type ControlMessage =
  | { readonly type: "start"; readonly run: string }
  | { readonly type: "end"; readonly run: string }
  | { readonly type: "cancel"; readonly run: string; readonly jobs: string[] };

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
