/**
 * An executor with a virtual clock: jobs take the time a cost model says, on `workers` lanes,
 * and nothing is computed. The same scheduler that drives real runs drives it, so the same task
 * graph unfolds (dependencies, priorities, lookahead, cancellation on convergence); the clock
 * then tells how long the run would take. Jobs marked `local` run one after another on the
 * driver's own lane, as they do in real runs. Used to project a run to other numbers of workers,
 * and to study a problem's speedup before buying cluster time.
 */
import { Future } from "./future.js";
import type { Executor, ExecutorStats } from "./executor.js";
import type { JobAdapter, JobEvent, JobInfo, JobState, WireOutput } from "./job.js";
import { ReadyQueue } from "./ready-queue.js";

export interface CostModel<J> {
  /** compute seconds of one job */
  duration(job: J, info: JobInfo): number;
  /** seconds a worker job costs on top of its compute (dispatch, round trip); not for local jobs */
  readonly overhead: number;
  /**
   * of that, the seconds the driver itself spends on each worker job (sending it, taking its
   * answer, scheduling what follows), one job after another in its one thread
   */
  readonly driverCost?: number;
}

interface Entry<J, V> {
  readonly job: J;
  readonly info: JobInfo;
  readonly future: Future<V>;
  readonly seq: number;
  input?: V;
  lane?: number;
  end?: number;
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

export class SimulatedExecutor<J, V> implements Executor<J, V> {
  readonly stats: ExecutorStats = { submitted: 0, completed: {}, resumedJobs: 0, cancelledQueued: 0, cancelledRunning: 0, failed: 0 };
  readonly workersSeen = new Set<string>();
  /** virtual seconds since the start */
  now = 0;
  /** virtual seconds each worker lane was busy, and the driver's lane */
  readonly busy: number[];
  driverBusy = 0;
  private readonly lanesFree: number[];
  private driverFree = 0;
  private readonly ready = new ReadyQueue<Entry<J, V>>();
  private running: Entry<J, V>[] = [];
  private seq = 0;
  private loop: Promise<void> | undefined;
  private readonly listeners = new Set<(e: JobEvent) => void>();

  constructor(
    readonly concurrency: number,
    private readonly adapter: Pick<JobAdapter<J, V, unknown, WireOutput>, "info">,
    private readonly cost: CostModel<J>,
    /** what a job's output is (nothing is computed: any value the scheduler can combine) */
    private readonly output: (job: J, input: V) => V,
  ) {
    if (!(concurrency >= 1)) throw new RangeError(`workers must be at least 1, got ${concurrency}`);
    const lanes = Number.isFinite(concurrency) ? concurrency : 0;
    this.lanesFree = new Array<number>(lanes).fill(0);
    this.busy = new Array<number>(lanes).fill(0);
  }

  onEvent(listener: (event: JobEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: Entry<J, V>, state: JobState, extra: Partial<JobEvent> = {}): void {
    for (const l of this.listeners) l({ id: e.seq, info: e.info, state, at: this.now, ...extra });
  }

  submit(job: J, input: Future<V>): Future<V> {
    const future = new Future<V>();
    const entry: Entry<J, V> = { job, info: this.adapter.info(job), future, seq: this.seq++ };
    this.stats.submitted++;
    this.emit(entry, "queued");
    future.onCancel(() => {
      if (entry.end === undefined) this.stats.cancelledQueued++;
      else {
        this.stats.cancelledRunning++;
        // an abandoned job stops at its next chunk: its lane is free now
        if (entry.lane !== undefined && entry.lane >= 0) {
          this.busy[entry.lane] = (this.busy[entry.lane] ?? 0) - (entry.end - this.now);
          this.lanesFree[entry.lane] = this.now;
        }
        this.running = this.running.filter((r) => r !== entry);
      }
      this.emit(entry, "cancelled");
    });
    input.promise.then(
      (value) => {
        if (future.settled) return;
        entry.input = value;
        this.ready.push(entry);
        this.wake();
      },
      (e) => future.reject(e),
    );
    return future;
  }

  async gather(futures: readonly Future<V>[]): Promise<V[]> {
    return Promise.all(futures.map((f) => f.result()));
  }

  cancel(futures: Iterable<Future<V>>): number {
    let n = 0;
    for (const f of futures) if (f.cancel()) n++;
    return n;
  }

  async *asCompleted(futures: readonly Future<V>[]): AsyncGenerator<Future<V>> {
    const order = await Promise.all(futures.map((f) => f.promise.then(() => f, () => f)));
    yield* order;
  }

  halt(): void {
    for (let e = this.ready.pop(); e !== undefined; e = this.ready.pop()) e.future.cancel();
  }

  private wake(): void {
    this.loop ??= this.run().finally(() => (this.loop = undefined));
  }

  /** Start what can start now; otherwise advance the clock to the next finishing job. */
  private async run(): Promise<void> {
    for (;;) {
      await tick(); // let the scheduler react to what just happened (new jobs, convergence)
      this.dispatch();
      const next = this.running.reduce<Entry<J, V> | undefined>((a, b) => (a === undefined || (b.end ?? 0) < (a.end ?? 0) ? b : a), undefined);
      if (!next) return;
      // the driver hears of a worker's job only when it is not busy with jobs of its own (they
      // run in its thread: a sweep of them holds its event loop), nor sends new ones meanwhile
      let heard = next.lane === -1 ? (next.end ?? this.now) : Math.max(next.end ?? this.now, this.driverFree);
      if (next.lane !== -1 && this.cost.driverCost) {
        // the driver takes the answer in, in its one thread
        heard += this.cost.driverCost;
        this.driverFree = heard;
        this.driverBusy += this.cost.driverCost;
      }
      this.now = Math.max(this.now, heard);
      this.running = this.running.filter((r) => r !== next);
      this.finish(next);
    }
  }

  private dispatch(): void {
    const deferred: Entry<J, V>[] = [];
    while (this.ready.size > 0) {
      const e = this.ready.pop() as Entry<J, V>;
      if (e.future.settled) continue;
      const compute = Math.max(0, this.cost.duration(e.job, e.info));
      if (e.info.local) {
        // the driver runs these itself, one after another
        const start = Math.max(this.now, this.driverFree);
        e.lane = -1;
        e.end = start + compute;
        this.driverFree = e.end;
        this.driverBusy += compute;
      } else {
        const lane = this.freeLane();
        if (lane === undefined) {
          deferred.push(e);
          continue;
        }
        e.lane = lane;
        // sent once the driver is free of its own jobs
        // the rest of the overhead is the round trip, in parallel with other jobs'
        const transport = Math.max(0, this.cost.overhead - (this.cost.driverCost ?? 0));
        e.end = Math.max(this.now, this.driverFree) + transport + compute;
        this.lanesFree[lane] = e.end;
        this.busy[lane] = (this.busy[lane] ?? 0) + transport + compute;
      }
      this.running.push(e);
      this.emit(e, "running", { worker: e.lane === -1 ? "driver" : `lane ${e.lane}` });
    }
    for (const e of deferred) this.ready.push(e);
  }

  private freeLane(): number | undefined {
    if (!Number.isFinite(this.concurrency)) {
      const idle = this.lanesFree.findIndex((t) => t <= this.now);
      if (idle >= 0) return idle;
      this.lanesFree.push(0);
      this.busy.push(0);
      return this.lanesFree.length - 1;
    }
    const lane = this.lanesFree.findIndex((t) => t <= this.now);
    return lane < 0 ? undefined : lane;
  }

  private finish(e: Entry<J, V>): void {
    if (e.future.settled) return;
    this.stats.completed[e.info.kind] = (this.stats.completed[e.info.kind] ?? 0) + 1;
    const worker = e.lane === -1 ? "driver" : `lane ${e.lane}`;
    this.workersSeen.add(worker);
    this.emit(e, "done", { worker, seconds: this.cost.duration(e.job, e.info) });
    e.future.resolve(this.output(e.job, e.input as V));
  }

  async close(): Promise<void> {
    await this.loop;
  }
}
