/**
 * The events of a made-up but faithful parareal run, for tests, the README's screenshot and
 * dashboard benchmarks without running solvers: a serial fine reference, then the parareal
 * dataflow (coarse sweep; fine job (k, i) waits for iterate k-1 at slice i-1, coarse job (k, i)
 * for iterate k at slice i-1; slices before k are exact and not recomputed), iterations queued a
 * few ahead of the last checked one, jobs taken earliest iteration first by a fixed set of
 * workers, iterates checked in order, and every job left cancelled on convergence. Durations are
 * jittered by a seeded generator, so a given set of options always gives the same events.
 */
import type { IterateEvent, JobEvent, JobKind, RunEvent } from "./events.js";

export interface SyntheticRunOptions {
  slices?: number;
  /** default: slices */
  maxIterations?: number;
  /** the iteration whose maxdif falls below tol; default 14 (as the demo) */
  convergeAt?: number;
  workers?: number;
  tol?: number;
  fineSeconds?: number;
  coarseSeconds?: number;
  /** iterations queued beyond the last checked one; default 4 (as the scheduler) */
  lookahead?: number;
  /** run the serial fine reference first; default true */
  reference?: boolean;
  /** this many fine jobs of iteration 1 are answered from files of an earlier run (reused) */
  reused?: number;
  seed?: number;
}

interface SimJob {
  id: number;
  kind: JobKind;
  phase: "reference" | "parareal";
  iteration: number;
  slice: number;
  state: "waiting" | "ready" | "running" | "settled";
  worker: number;
  seconds: number;
  reused: boolean;
}

/** A small binary heap (the simulation of a 1,000-slice run handles ~100,000 jobs). */
class Heap<T> {
  private readonly items: T[] = [];
  constructor(private readonly before: (a: T, b: T) => boolean) {}
  get size(): number {
    return this.items.length;
  }
  push(x: T): void {
    const a = this.items;
    a.push(x);
    for (let i = a.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!this.before(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): T | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.before(a[l]!, a[m]!)) m = l;
        if (r < a.length && this.before(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
  peek(): T | undefined {
    return this.items[0];
  }
}

export function syntheticRun(options: SyntheticRunOptions = {}): RunEvent[] {
  const N = options.slices ?? 19;
  const K = options.maxIterations ?? N;
  const C = Math.min(options.convergeAt ?? 14, K);
  const W = options.workers ?? 2;
  const tol = options.tol ?? 1e-4;
  const fineSeconds = options.fineSeconds ?? 0.05;
  const coarseSeconds = options.coarseSeconds ?? fineSeconds / 25;
  const lookahead = options.lookahead ?? 4;
  const withReference = options.reference ?? true;
  let reusedLeft = options.reused ?? 0;
  let seed = (options.seed ?? 1) >>> 0 || 1;
  const random = (): number => {
    // xorshift32: deterministic jitter
    seed ^= seed << 13;
    seed >>>= 0;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    seed >>>= 0;
    return seed / 4294967296;
  };
  const workerName = (w: number): string => `synthetic:${4200 + (w % 2)}:${w + 1}`;
  const round = (t: number): number => Math.round(t * 1e6) / 1e6;

  const out: RunEvent[] = [];
  out.push({
    type: "run",
    at: 0,
    started: "2025-01-01T12:00:00.000Z",
    parameters: { problem: { name: "harmonic", params: { omega0: 1, zeta: 0.5 } }, tEnd: 15, points: N + 1, h: 0.01, fine: "euler", coarse: "euler", synthetic: true },
    slices: N,
    maxIterations: K,
    tol,
    workers: W,
    executor: "threads",
    method: "parareal",
  });
  let nextId = 0;
  let now = 0;
  const jobEvent = (j: SimJob, state: JobEvent["state"], extra: Partial<JobEvent> = {}): void => {
    out.push({ type: "job", at: round(now), id: j.id, phase: j.phase, kind: j.kind, iteration: j.iteration, slice: j.slice, state, ...extra });
  };
  const duration = (kind: JobKind): number => (kind === "fine" ? fineSeconds : coarseSeconds) * (0.75 + 0.5 * random());

  // the serial reference: every slice queued at once, each waiting for the one before
  if (withReference) {
    out.push({ type: "phase", at: 0, phase: "reference" });
    const ref: SimJob[] = [];
    for (let i = 1; i <= N; i++) {
      const j: SimJob = { id: nextId++, kind: "fine", phase: "reference", iteration: 0, slice: i, state: "waiting", worker: -1, seconds: 0, reused: false };
      ref.push(j);
      jobEvent(j, "queued");
    }
    for (const j of ref) {
      j.worker = 0;
      jobEvent(j, "running", { worker: workerName(0) });
      j.seconds = duration("fine");
      now += j.seconds + 0.0005;
      jobEvent(j, "done", { worker: workerName(0), seconds: round(j.seconds) });
    }
    now += 0.002;
  }
  out.push({ type: "phase", at: round(now), phase: "parareal" });

  // available[k][i]: iterate k at t_i is known (i = 0 is the initial state)
  const available: Uint8Array[] = Array.from({ length: K + 1 }, () => new Uint8Array(N + 1));
  const availableCount = new Int32Array(K + 1);
  const jobsAt = new Map<number, SimJob>(); // key (k, kind, i)
  const key = (k: number, kind: JobKind, i: number): number => (k * 2 + (kind === "fine" ? 0 : 1)) * (N + 2) + i;
  // earliest iteration first; within one, the coarse chain (the critical path) before fine jobs
  const ready = new Heap<SimJob>((a, b) => (a.iteration !== b.iteration ? a.iteration < b.iteration : a.kind !== b.kind ? a.kind === "coarse" : a.slice < b.slice));
  const running = new Heap<{ end: number; job: SimJob }>((a, b) => a.end < b.end);
  const freeWorkers: number[] = Array.from({ length: W }, (_, w) => W - 1 - w);
  const live = new Set<SimJob>();
  let queuedUpTo = -1;
  let checked = -1;
  let converged = false;

  const dependsOn = (j: SimJob): [number, number] => (j.kind === "fine" ? [j.iteration - 1, j.slice - 1] : [j.iteration, j.slice - 1]);
  const tryReady = (j: SimJob | undefined): void => {
    if (!j || j.state !== "waiting") return;
    const [k, i] = dependsOn(j);
    if (available[k]![i]) {
      j.state = "ready";
      ready.push(j);
    }
  };
  const queueIteration = (k: number): void => {
    const add = (kind: JobKind, i: number): void => {
      const j: SimJob = { id: nextId++, kind, phase: "parareal", iteration: k, slice: i, state: "waiting", worker: -1, seconds: 0, reused: false };
      if (kind === "fine" && k === 1 && reusedLeft > 0) {
        j.reused = true;
        reusedLeft--;
      }
      jobsAt.set(key(k, kind, i), j);
      live.add(j);
      jobEvent(j, "queued");
    };
    if (k === 0) for (let i = 1; i <= N; i++) add("coarse", i);
    else {
      for (let i = k; i <= N; i++) add("fine", i);
      for (let i = k + 1; i <= N; i++) add("coarse", i);
    }
    for (let i = 1; i <= N; i++) {
      tryReady(jobsAt.get(key(k, "fine", i)));
      tryReady(jobsAt.get(key(k, "coarse", i)));
    }
  };
  const maxdif = (k: number): number => {
    // geometric fall from 1.34 to just under tol at iteration C, with a wobble
    const m1 = 1.338596;
    const rate = (0.66 * tol) / m1;
    return m1 * rate ** ((k - 1) / Math.max(C - 1, 1)) * (k === C || k === 1 ? 1 : 0.85 + 0.3 * random());
  };
  const checkIterates = (): void => {
    while (!converged && checked < K && availableCount[checked + 1] === N + 1) {
      const k = ++checked;
      const e: IterateEvent = { type: "iterate", at: round(now), iteration: k, maxdif: k === 0 ? null : maxdif(k) };
      if (k > 0) e.error = e.maxdif! * (0.3 + 0.2 * random());
      out.push(e);
      if (k === C || k === K) {
        converged = true;
        return;
      }
      while (queuedUpTo < Math.min(k + 1 + lookahead, K)) queueIteration(++queuedUpTo);
    }
  };
  const makeAvailable = (k: number, i: number): void => {
    if (k > K || available[k]![i]) return;
    available[k]![i] = 1;
    availableCount[k]!++;
    tryReady(jobsAt.get(key(k, "coarse", i + 1)));
    tryReady(jobsAt.get(key(k + 1, "fine", i + 1)));
    // iterate k+1 keeps the slices already exact (i < k + 1)
    if (i <= k) makeAvailable(k + 1, i);
  };
  const settle = (j: SimJob): void => {
    j.state = "settled";
    live.delete(j);
    const { iteration: k, slice: i } = j;
    const done = (kind: JobKind): boolean => jobsAt.get(key(k, kind, i))?.state === "settled";
    // iterate 0 is the coarse sweep; y(k, k) is its fine job alone; later slices need both
    if (k === 0 ? done("coarse") : i === k ? done("fine") : done("fine") && done("coarse")) makeAvailable(k, i);
  };

  for (let k = 0; k <= K; k++) makeAvailable(k, 0);
  while (queuedUpTo < Math.min(lookahead, K)) queueIteration(++queuedUpTo);
  for (;;) {
    while (freeWorkers.length > 0 && ready.size > 0) {
      const j = ready.pop()!;
      const w = freeWorkers.pop()!;
      j.state = "running";
      j.worker = w;
      j.seconds = j.reused ? 0.0004 + 0.0004 * random() : duration(j.kind);
      jobEvent(j, "running", { worker: workerName(w) });
      running.push({ end: now + j.seconds + 0.0003, job: j });
    }
    const next = running.pop();
    if (!next) break;
    now = next.end;
    const j = next.job;
    freeWorkers.push(j.worker);
    jobEvent(j, j.reused ? "reused" : "done", { worker: workerName(j.worker), seconds: round(j.seconds) });
    settle(j);
    checkIterates();
    if (converged) break;
  }
  // convergence (or the last iteration): whatever is left is cancelled, running jobs where they run
  now += 0.0002;
  for (const j of [...live].sort((a, b) => a.id - b.id)) {
    if (j.state === "running") jobEvent(j, "cancelled", { worker: workerName(j.worker) });
    else jobEvent(j, "cancelled");
  }
  out.push({ type: "end", at: round(now), status: converged && checked === C ? "converged" : "not converged", iterations: checked });
  return out;
}
