/**
 * What an executor needs to know of the jobs it runs, and nothing more: how to order and name
 * them, how to put one on the wire and read its answer (the job adapter), and where the code that
 * runs a payload lives (the runtime). Executors never look inside a payload; src/jobs does.
 */

/** Ordering and naming of one job. */
export interface JobInfo {
  /** e.g. "coarse" or "fine" */
  readonly kind: string;
  readonly iteration: number;
  /** the time slice it solves over (1..N) */
  readonly slice: number;
  /** on the serial critical path (the coarse chain): goes before other work of its iteration */
  readonly urgent: boolean;
  /** cheap enough to run where it is submitted rather than pay a round trip to a worker */
  readonly local: boolean;
}

/** What every worker answers besides the result itself. */
export interface WireOutput {
  /** who ran it: host:pid:thread */
  readonly worker: string;
  /** compute time on the worker's own clock */
  readonly seconds: number;
  /** when the computation began, in epoch milliseconds on the worker's clock (same host: the driver's) */
  readonly startedAt?: number;
  /** an earlier run's file was taken instead of computing (resume) */
  readonly reused?: boolean;
}

/** Turns jobs and their inputs into payloads, and answers back into values. */
export interface JobAdapter<J, V, P, O extends WireOutput> {
  info(job: J): JobInfo;
  /** for messages: "fine job of iteration 3, slice 5 (t = 1.5 to 2.25)" */
  describe(job: J): string;
  payload(job: J, input: V): P;
  result(job: J, output: O): V;
}

/** Where payloads run: this thread (`run`), or worker threads loading `threadModule`. */
export interface Runtime<P, O> {
  run(payload: P, stop?: () => boolean): Promise<O>;
  /** a module whose default export takes a ThreadTask<P> and returns O */
  readonly threadModule: URL;
  /** handed to every worker thread (e.g. what it may trust) */
  readonly workerData?: unknown;
}

/** A job sent to a worker thread; `cancel` (over a SharedArrayBuffer) set non-zero stops it between chunks. */
export interface ThreadTask<P> {
  readonly payload: P;
  readonly cancel?: Int32Array;
}

/**
 * Start-up of a thread before any job: its module is loaded by then. `arrived` counts threads in;
 * each waits (briefly) until `expected` have arrived, so that n warm-ups occupy n distinct threads.
 */
export interface WarmTask {
  readonly warm: true;
  readonly arrived: Int32Array;
  readonly expected: number;
  /** what the thread should load first (the run's problem modules): start-up, not a job's time */
  readonly preload?: readonly string[];
}

/** What a worker thread module's default export takes. */
export type ThreadMessage<P> = ThreadTask<P> | WarmTask;

/** The warm-up as a thread module runs it. */
export function warmUp(task: WarmTask): { warm: true } {
  Atomics.add(task.arrived, 0, 1);
  Atomics.notify(task.arrived, 0);
  const deadline = Date.now() + 5000;
  for (let n = Atomics.load(task.arrived, 0); n < task.expected && Date.now() < deadline; n = Atomics.load(task.arrived, 0)) {
    Atomics.wait(task.arrived, 0, n, 50);
  }
  return { warm: true };
}

/**
 * A worker thread's answer. A cancellation is an answer, not a thrown error: errors cross the
 * thread boundary as plain Errors, losing what kind they were.
 */
export type ThreadResult<O> = { readonly output: O } | { readonly cancelled: true } | { readonly warm: true };

export type JobState = "queued" | "running" | "done" | "reused" | "cancelled" | "failed";

/** A job's state change, as executors report it to listeners (timing, the dashboard). */
export interface JobEvent {
  /** unique within the executor */
  readonly id: number;
  readonly info: JobInfo;
  readonly state: JobState;
  /** seconds since the executor started, on the driver's clock */
  readonly at: number;
  readonly worker?: string;
  /** compute seconds reported by the worker */
  readonly seconds?: number;
  /** when the computation began (seconds since the executor started), for done and reused jobs */
  readonly started?: number;
  readonly error?: string;
}
