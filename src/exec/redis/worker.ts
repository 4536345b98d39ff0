/**
 * `parareal worker`: serves the jobs of every active run on a Redis server (or of one run),
 * running them on a pool of threads so that the process stays responsive: BullMQ renews job
 * locks and hears cancellations while a thread integrates. It serves only runs whose signed
 * announcement names an acceptable archive root and whose signed heartbeat is fresh, and every job
 * must be signed by their driver. Its failures are signed too, so that its driver can tell them
 * from failures anyone could write to the run's event stream.
 */
import { availableParallelism } from "node:os";
import { Worker, UnrecoverableError, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { Piscina } from "piscina";
import { log } from "../../log.js";
import { strippedLine } from "../../shown.js";
import type { ThreadResult, ThreadTask, WireOutput } from "../job.js";
import { connectRedis, createRedis, describeUrl, type RedisSettings } from "./connection.js";
import { aliveKey, announceKey, CONTROL_CHANNEL, deleteRunKeys, HEARTBEAT_TIMEOUT_MS, PREFIX, queueName, redisTime, RUN_ID, RUNS_KEY, workersKey } from "./keys.js";
import { failureReason, heartbeatAge, isFresh, openAnnouncement, openControl, openJob, sealFailure, sealResult, type Announcement } from "./messages.js";
import type { Signer } from "./signing.js";

/** How long a run that ended may take to record the jobs this worker had in hand. */
const DETACH_GRACE_MS = 3000;

/** How a worker process checks and runs the payloads of one kind of job. */
export interface WorkerRuntime<P> {
  /** a module whose default export takes a ThreadTask<P> and returns a ThreadResult */
  readonly threadModule: URL;
  readonly workerData?: unknown;
  /** the payload if it may run for this run (schema, paths inside the root, modules announced), else throws why not */
  admit(data: unknown, run: Announcement): P;
  /** whether the run's announced root is one this worker serves; throws why not */
  acceptRoot(root: string): void;
  /** remove what this process's jobs leave when they are killed (exchange files of commands) */
  cleanup?(): void;
}

export interface ServeOptions {
  /** jobs run at once in this process (threads) */
  readonly concurrency?: number;
  /** a job whose worker stops renewing its lock this long is run again elsewhere */
  readonly lockMs?: number;
  /** serve only this run, and return when it ends */
  readonly run?: string | undefined;
  /** how long to wait for the server at start-up */
  readonly connectMs?: number;
  /** the key shared with drivers */
  readonly signer: Signer;
  /** this worker's name, as job outputs give it */
  readonly name: string;
}

interface Attached {
  readonly worker: Worker;
  readonly connection: Redis;
}

export class WorkerService<P> {
  private readonly attached = new Map<string, Attached>();
  private readonly cancelFlags = new Map<string, Int32Array>();
  private stopping = false;
  private finish!: () => void;
  /** resolves when the service has stopped (signal, or the end of its one run) */
  readonly done = new Promise<void>((resolve) => (this.finish = resolve));
  jobsRun = 0;

  private constructor(
    private readonly settings: RedisSettings,
    private readonly redis: Redis,
    private readonly subscriber: Redis,
    private readonly pool: Piscina<ThreadTask<P>, ThreadResult<WireOutput>>,
    private readonly runtime: WorkerRuntime<P>,
    private readonly options: ServeOptions & { concurrency: number; lockMs: number },
  ) {}

  static async start<P>(settings: RedisSettings, runtime: WorkerRuntime<P>, options: ServeOptions): Promise<WorkerService<P>> {
    // a worker may start before its server: wait for it a while rather than give up at once
    const redis = await connectRedis(settings, options.connectMs ?? 30_000);
    const subscriber = createRedis(settings);
    const concurrency = options.concurrency ?? availableParallelism();
    const pool = new Piscina<ThreadTask<P>, ThreadResult<WireOutput>>({
      filename: runtime.threadModule.href,
      minThreads: 0,
      maxThreads: concurrency,
      idleTimeout: Number.POSITIVE_INFINITY,
      ...(runtime.workerData === undefined ? {} : { workerData: runtime.workerData }),
    });
    const service = new WorkerService(settings, redis, subscriber, pool, runtime, { ...options, concurrency, lockMs: options.lockMs ?? 30_000 });
    subscriber.on("message", (_channel: string, text: string) => service.onControl(text));
    service.watchDrivers();
    await subscriber.subscribe(CONTROL_CHANNEL);
    // runs that started before this worker did
    const active = await redis.smembers(RUNS_KEY);
    for (const run of active) if (!options.run || run === options.run) void service.attach(run);
    log.info(`worker: serving ${describeUrl(settings.url)} with ${concurrency} threads; active runs: ${active.length}`);
    return service;
  }

  private driverWatch: NodeJS.Timeout | undefined;
  private readonly silentSince = new Map<string, number>();
  /** runs with a signed announcement whose heartbeat is not fresh: served if it becomes so, else dropped */
  private readonly unproven = new Set<string>();
  /** runs this worker saw end: never served again, whatever is replayed */
  private readonly ended = new Set<string>();
  /** until when (performance.now()) the last heartbeat read vouches for each run */
  private readonly liveUntil = new Map<string, number>();

  /**
   * A driver killed with SIGKILL never says "end": its run would hold workers and keys for ever.
   * Drop a run whose heartbeat has not been fresh for a whole timeout (twice over since the last
   * fresh one, so that a restarted Redis leaves drivers time to beat again).
   */
  private watchDrivers(): void {
    this.driverWatch = setInterval(() => void this.checkDrivers().catch(() => undefined), HEARTBEAT_TIMEOUT_MS / 3).unref();
  }

  /**
   * The age of the run's heartbeat by Redis's clock, or undefined without a signed one. Freshness
   * is the rule for serving: a run is served only while its driver's signed heartbeat is younger
   * than HEARTBEAT_TIMEOUT_MS, so its recorded messages replayed after it ended (or after its
   * driver died) serve nothing. What remains open: a replay within HEARTBEAT_TIMEOUT_MS of the
   * run's last heartbeat, to a worker that did not see it end.
   */
  private async heartbeat(run: string): Promise<number | undefined> {
    const [value, now] = await Promise.all([this.redis.get(aliveKey(run)), redisTime(this.redis)]);
    const age = heartbeatAge(this.options.signer, run, value, now);
    if (isFresh(age)) this.liveUntil.set(run, performance.now() + HEARTBEAT_TIMEOUT_MS - Math.max(0, age));
    else this.liveUntil.delete(run);
    return age;
  }

  private async isLive(run: string): Promise<boolean> {
    if ((this.liveUntil.get(run) ?? 0) > performance.now()) return true;
    return isFresh(await this.heartbeat(run));
  }

  private async checkDrivers(): Promise<void> {
    const now = Date.now();
    for (const run of [...this.attached.keys(), ...this.unproven]) {
      if (isFresh(await this.heartbeat(run))) {
        this.silentSince.delete(run);
        if (this.unproven.has(run)) void this.attach(run);
        continue;
      }
      const since = this.silentSince.get(run) ?? now;
      this.silentSince.set(run, since);
      if (now - since >= HEARTBEAT_TIMEOUT_MS) {
        log.warning(`worker: run ${run} has no driver any more (no fresh heartbeat for ${Math.round((now - since) / 1000)} s); dropping it and its keys`);
        this.silentSince.delete(run);
        await this.redis.srem(RUNS_KEY, run);
        if (this.unproven.delete(run)) {
          await deleteRunKeys(this.redis, run);
          if (this.options.run === run) void this.stop();
        } else await this.detach(run, true);
      }
    }
  }

  private onControl(text: string): void {
    const m = openControl(this.options.signer, text);
    if (!m) return log.debug("worker: ignored a control message that is not signed with our key");
    if (this.options.run && m.run !== this.options.run) return;
    if (m.type === "start") void this.attach(m.run);
    else if (m.type === "end") {
      this.ended.add(m.run);
      this.unproven.delete(m.run);
      void this.detach(m.run, false);
    }
    else for (const job of m.jobs) this.cancelFlags.get(`${m.run}/${job}`)?.fill(1);
  }

  /** The run's signed announcement, with a root this worker accepts; throws why not. */
  private async announcement(run: string): Promise<Announcement> {
    const a = openAnnouncement(this.options.signer, run, await this.redis.get(announceKey(run)));
    if (!a) throw new Error(`run ${run} has no announcement signed with this worker's key`);
    this.runtime.acceptRoot(a.root);
    return a;
  }

  private readonly announcements = new Map<string, Announcement>();

  private async attach(run: string): Promise<void> {
    if (this.stopping || this.attached.has(run) || this.ended.has(run) || !RUN_ID.test(run)) return;
    let a: Announcement;
    let age: number | undefined;
    try {
      a = await this.announcement(run);
      age = await this.heartbeat(run);
    } catch (e) {
      log.warning(`worker: not serving run ${run}: ${(e as Error).message}`);
      return;
    }
    if (this.stopping || this.attached.has(run) || this.ended.has(run)) return;
    if (!isFresh(age)) {
      // watched: served if a fresh heartbeat comes, dropped with its keys if none does
      if (!this.unproven.has(run)) {
        const why = age === undefined ? "it has no heartbeat signed with this worker's key" : `its heartbeat is ${Math.round(age / 1000)} s old`;
        log.warning(`worker: not serving run ${run}: ${why} (its driver is gone, or its messages are replayed)`);
      }
      this.unproven.add(run);
      return;
    }
    this.unproven.delete(run);
    this.announcements.set(run, a);
    const connection = createRedis(this.settings);
    const worker = new Worker(queueName(run), (job: Job) => this.process(run, job), {
      connection,
      prefix: PREFIX,
      concurrency: this.options.concurrency,
      lockDuration: this.options.lockMs,
      stalledInterval: Math.max(500, Math.floor(this.options.lockMs / 2)),
      maxStalledCount: 3,
    });
    worker.on("error", (e) => log.debug(`worker (${run}): ${e.message}`));
    worker.on("failed", (job, e) => {
      if (job && !(e instanceof UnrecoverableError)) log.error(`job ${job.id} of run ${run} failed (attempt ${job.attemptsMade}): ${failureReason(e.message)}`);
    });
    this.attached.set(run, { worker, connection });
    void this.redis.sadd(workersKey(run), this.options.name).catch(() => undefined);
    log.info(`worker: attached to run ${run} (archive root ${a.root})`);
  }

  private async process(run: string, job: Job): Promise<string> {
    const id = String(job.id);
    const key = `${run}/${id}`;
    // a malformed, unsigned or hostile job fails alone and is not retried; the worker goes on
    // serving. Its failure is not signed: its driver (if any) did not send it, and puts back what
    // it did send.
    const refuse = (why: string): never => {
      log.error(`worker: job ${id} of run ${run} refused: ${strippedLine(why)}`);
      throw new UnrecoverableError(strippedLine(why));
    };
    const a = this.announcements.get(run);
    if (!a) return refuse(`run ${run} is not attached`);
    if (!(await this.isLive(run).catch(() => false))) return refuse(`run ${run} has no fresh heartbeat (its driver is gone, or its messages are replayed)`);
    let data: unknown;
    try {
      data = openJob(this.options.signer, run, id, job.data);
    } catch (e) {
      return refuse((e as Error).message);
    }
    // from here the job is its driver's: why it fails is signed, for the driver to report
    const fail = (e: unknown, final: boolean): Error => {
      const sealed = sealFailure(this.options.signer, run, id, e instanceof Error ? e.message : String(e));
      return final ? new UnrecoverableError(sealed) : new Error(sealed);
    };
    let payload: P;
    try {
      payload = this.runtime.admit(data, a);
    } catch (e) {
      log.error(`worker: job ${id} of run ${run} refused: ${strippedLine((e as Error).message)}`);
      throw fail(e, true);
    }
    log.info(`worker: job ${id} of run ${run} started (attempt ${job.attemptsMade + 1})`);
    const cancel = new Int32Array(new SharedArrayBuffer(4));
    this.cancelFlags.set(key, cancel);
    let answer: ThreadResult<WireOutput>;
    try {
      answer = await this.pool.run({ payload, cancel });
    } catch (e) {
      throw fail(e, false);
    } finally {
      this.cancelFlags.delete(key);
    }
    if (!("output" in answer)) {
      log.info(`worker: job ${id} of run ${run} stopped: cancelled by the driver`);
      throw fail(new Error("cancelled by the driver"), true);
    }
    this.jobsRun++;
    try {
      return sealResult(this.options.signer, run, id, answer.output);
    } catch (e) {
      throw fail(e, true);
    }
  }

  /** Stop serving a run; `clean`: also delete its keys (its driver is gone). */
  private async detach(run: string, clean: boolean): Promise<void> {
    const a = this.attached.get(run);
    if (!a) return;
    this.attached.delete(run);
    this.announcements.delete(run);
    this.liveUntil.delete(run);
    for (const [key, flag] of this.cancelFlags) if (key.startsWith(`${run}/`)) flag.fill(1);
    // the jobs in hand stop at their next chunk: let BullMQ record them (a record written after the
    // clean-up below would stay in Redis), but not for long
    let timer: NodeJS.Timeout | undefined;
    const closed = await Promise.race([
      a.worker.close().then(() => true, () => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), DETACH_GRACE_MS))),
    ]);
    clearTimeout(timer);
    if (!closed) await a.worker.close(true).catch(() => undefined);
    a.connection.disconnect();
    // a closing worker may have touched the queue after the driver cleaned it: clean again
    await deleteRunKeys(this.redis, run).catch(() => undefined);
    log.info(`worker: run ${run} ended${clean ? " (its driver is gone)" : ""}`);
    if (this.options.run === run) void this.stop();
  }

  /** Finish the jobs in hand, take no new ones, release everything. */
  async stop(): Promise<void> {
    if (this.stopping) return this.done;
    this.stopping = true;
    clearInterval(this.driverWatch);
    await Promise.all([...this.attached.values()].map((a) => a.worker.close().catch(() => undefined)));
    this.abort();
    return this.done;
  }

  /** Stop at once: running jobs are told to stop, connections and threads go. */
  abort(): void {
    this.stopping = true;
    clearInterval(this.driverWatch);
    for (const flag of this.cancelFlags.values()) flag.fill(1);
    for (const a of this.attached.values()) a.connection.disconnect();
    this.attached.clear();
    this.subscriber.disconnect();
    this.redis.disconnect();
    void this.pool.destroy().finally(() => this.finish());
  }
}
