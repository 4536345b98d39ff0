/** How far a worker-thread pool may grow, kept apart from the pool so the CLI can check it cheaply. */
import { availableParallelism } from "node:os";

/** Threads per core a pool may grow to: enough for jobs that wait more than they compute. */
export const THREADS_PER_CORE = 8;

/** The most worker threads one process may ask for (at least 16, whatever the machine). */
export function maxWorkers(cores = availableParallelism()): number {
  return Math.max(16, THREADS_PER_CORE * cores);
}
