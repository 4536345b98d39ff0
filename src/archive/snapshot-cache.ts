/**
 * Values of H5Snap slices already known in this thread. Archive files are immutable once
 * renamed into place, so a value read or written once never goes stale. Small values also
 * travel with job results as hints, so the driver and the next worker need not reopen a file
 * that was just written; large states stay on disk, which is the point of the archive.
 */
import type { IndexItem } from "../ndarray/indexing.js";

/** States up to this many numbers travel inline as hints. */
export const HINT_MAX_LENGTH = 4096;
const CAPACITY = 8192;

const cache = new Map<string, Float64Array>();

export function snapshotKey(path: string, dataset: string, index: readonly IndexItem[]): string {
  return `${path}\u0000${dataset}\u0000${JSON.stringify(index)}`;
}

export function rememberSnapshot(key: string, value: Float64Array): void {
  if (cache.has(key)) cache.delete(key);
  cache.set(key, value);
  if (cache.size > CAPACITY) cache.delete(cache.keys().next().value!);
}

export function recallSnapshot(key: string): Float64Array | undefined {
  return cache.get(key);
}

export function forgetSnapshots(): void {
  cache.clear();
}
