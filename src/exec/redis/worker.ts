/**
 * `parareal worker`: serves the jobs of every active run on a Redis server (or of one run),
 * running them on a pool of threads so that the process stays responsive: BullMQ renews job
 * locks and hears cancellations while a thread integrates.
 */
import { availableParallelism } from "node:os";
import { Worker, UnrecoverableError, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { Piscina } from "piscina";
import { log } from "../../log.js";
import type { JobOutput, JobPayload } from "../job.js";
import type { WorkerTask } from "../thread-worker.js";
import { connectRedis, createRedis, describeUrl, type RedisSettings } from "./connection.js";
import { aliveKey, CONTROL_CHANNEL, deleteRunKeys, HEARTBEAT_TIMEOUT_MS, parseControl, PREFIX, queueName, modulesKey, rootKey, RUNS_KEY, workersKey } from "./keys.js";
import { checkPayload, confine } from "../payload.js";
import { workerName } from "../job.js";

export interface ServeOptions {
  /** jobs run at once in this process (threads) */
  readonly concurrency?: number;
  /** a job whose worker stops renewing its lock this long is run again elsewhere */
  readonly lockMs?: number;
  /** serve only this run, and return when it ends */
  readonly run?: string | undefined;
  /** how long to wait for the server at start-up */
  readonly connectMs?: number;
  /** import the problem modules that jobs name (code from whoever can submit jobs) */
  readonly allowModules?: boolean;
  /** run the solver commands that jobs name (--fine-cmd, --coarse-cmd: the same) */
  readonly allowCommands?: boolean;
  /** serve only runs whose archive lies inside this directory */
  readonly archiveRoot?: string | undefined;
}

interface RunInfo {
  readonly root: string | undefined;
  readonly modules: ReadonlySet<string>;
}

interface Attached {
  readonly worker: Worker;
  readonly connection: Redis;
}

export class WorkerService {
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
    private readonly pool: Piscina<WorkerTask, JobOutput | null>,
    private readonly options: Required<Omit<ServeOptions, "run" | "connectMs" | "allowModules" | "allowCommands" | "archiveRoot">> & { run?: string | undefined; archiveRoot?: string | undefined },
  ) {}

  static async start(settings: RedisSettings, options: ServeOptions = {}): Promise<WorkerService> {
    // a worker may start before its server: wait for it a while rather than give up at once
    const redis = await connectRedis(settings, options.connectMs ?? 30_000);
    const subscriber = createRedis(settings);
    const concurrency = options.concurrency ?? availableParallelism();
    const pool = new Piscina<WorkerTask, JobOutput | null>({
      filename: new URL("../thread-worker.js", import.meta.url).href,
      minThreads: concurrency,
      maxThreads: concurrency,
      idleTimeout: Number.POSITIVE_INFINITY,
      workerData: { trust: { modules: options.allowModules ?? false, commands: options.allowCommands ?? false } },
    });
    await Promise.all(Array.from({ length: concurrency }, () => pool.run({ warmup: true })));
    const service = new WorkerService(settings, redis, subscriber, pool, { concurrency, lockMs: options.lockMs ?? 30_000, run: options.run, archiveRoot: options.archiveRoot });
    subscriber.on("message", (_channel: string, text: string) => service.onControl(text));
    service.watchDrivers();
    await subscriber.subscribe(CONTROL_CHANNEL);
    // runs that started before this worker did
    const active = await redis.smembers(RUNS_KEY);
    for (const run of active) if (!options.run || run === options.run) service.attach(run);
    log.info(`worker: serving ${describeUrl(settings.url)} with ${concurrency} threads; active runs: ${active.length}`);
    return service;
  }

  private driverWatch: NodeJS.Timeout | undefined;
  private readonly silentSince = new Map<string, number>();

  /**
   * A driver killed with SIGKILL never says "end": its run would hold workers and keys for ever.
   * Drop a run whose heartbeat has been missing for a whole timeout (twice over, so that a
   * restarted Redis leaves drivers time to beat again).
   */
  watchDrivers(): void {
    this.driverWatch = setInterval(() => void this.checkDrivers().catch(() => undefined), HEARTBEAT_TIMEOUT_MS / 3).unref();
  }

  private async checkDrivers(): Promise<void> {
    const now = Date.now();
    for (const run of [...this.attached.keys()]) {
      if ((await this.redis.exists(aliveKey(run))) === 1) {
        this.silentSince.delete(run);
        continue;
      }
      const since = this.silentSince.get(run) ?? now;
      this.silentSince.set(run, since);
      if (now - since >= HEARTBEAT_TIMEOUT_MS) {
        log.warning(`worker: run ${run} has no driver any more (no heartbeat for ${Math.round((now - since) / 1000)} s); dropping it and its keys`);
        this.silentSince.delete(run);
        await this.redis.srem(RUNS_KEY, run);
        await this.detach(run);
      }
    }
  }

  private onControl(text: string): void {
    const m = parseControl(text);
    if (!m || (this.options.run && m.run !== this.options.run)) return;
    if (m.type === "start") this.attach(m.run);
    else if (m.type === "end") void this.detach(m.run);
    else for (const job of m.jobs) this.cancelFlags.get(`${m.run}/${job}`)?.fill(1);
  }

  private attach(run: string): void {
    if (this.stopping || this.attached.has(run)) return;
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
      if (job && !(e instanceof UnrecoverableError)) log.error(`job ${job.id} of run ${run} failed (attempt ${job.attemptsMade}): ${e.message}`);
    });
    this.attached.set(run, { worker, connection });
    void this.redis.sadd(workersKey(run), workerName).catch(() => undefined);
    log.info(`worker: attached to run ${run}`);
  }

  /** What a run announced: the root its paths must lie in (inside this worker's --archive-root), its modules. */
  private readonly runInfo = new Map<string, Promise<RunInfo>>();
  private infoOf(run: string): Promise<RunInfo> {
    let info = this.runInfo.get(run);
    if (!info) {
      info = this.lookUp(run);
      this.runInfo.set(run, info);
      info.catch(() => this.runInfo.delete(run)); // asked again with the next job
    }
    return info;
  }

  private async lookUp(run: string): Promise<RunInfo> {
    const [announced, modules] = await Promise.all([this.redis.get(rootKey(run)), this.redis.smembers(modulesKey(run))]);
    const mine = this.options.archiveRoot;
    if (mine !== undefined && announced !== null) confine(announced, mine, `run ${run}: archive root`);
    return { root: announced ?? mine, modules: new Set(modules) };
  }

  /** A checked payload of the run, or an error saying why the job is refused. */
  private async admit(run: string, data: unknown): Promise<JobPayload> {
    const info = await this.infoOf(run);
    const payload = checkPayload(data, info.root);
    const module = payload.solver.problem.module;
    // a job may not make a worker import a module its run did not name
    if (module !== undefined && !info.modules.has(module)) throw new Error(`job names problem module ${module}, which its run did not announce`);
    return payload;
  }

  private async process(run: string, job: Job): Promise<JobOutput> {
    const key = `${run}/${job.id}`;
    let payload: JobPayload;
    try {
      // a malformed or hostile job fails alone and is not retried; the worker goes on serving
      payload = await this.admit(run, job.data);
    } catch (e) {
      log.error(`worker: job ${job.id} of run ${run} refused: ${(e as Error).message}`);
      throw new UnrecoverableError((e as Error).message);
    }
    log.debug(`worker: job ${job.id} of run ${run} started: ${payload.solver?.kind} t = ${payload.t0} to ${payload.t1}, attempt ${job.attemptsMade + 1}`);
    const cancel = new Int32Array(new SharedArrayBuffer(4));
    this.cancelFlags.set(key, cancel);
    try {
      const out = (await this.pool.run({ payload, cancel }))!;
      this.jobsRun++;
      return out;
    } catch (e) {
      // errors cross the thread boundary as plain Errors: recognise the interruption by its message
      if (/integration was interrupted/.test((e as Error).message)) {
        log.info(`worker: job ${job.id} of run ${run} stopped: cancelled by the driver`);
        throw new UnrecoverableError("cancelled by the driver");
      }
      throw e;
    } finally {
      this.cancelFlags.delete(key);
    }
  }

  private async detach(run: string): Promise<void> {
    const a = this.attached.get(run);
    if (!a) return;
    this.attached.delete(run);
    this.runInfo.delete(run);
    for (const [key, flag] of this.cancelFlags) if (key.startsWith(`${run}/`)) flag.fill(1);
    await a.worker.close(true).catch(() => undefined);
    a.connection.disconnect();
    // a closing worker may have touched the queue after the driver cleaned it: clean again
    await deleteRunKeys(this.redis, run).catch(() => undefined);
    log.info(`worker: run ${run} ended`);
    if (this.options.run === run) void this.stop();
  }

  /** Finish the jobs in hand, take no new ones, release everything. */
  async stop(): Promise<void> {
    if (this.stopping) return this.done;
    this.stopping = true;
    clearInterval(this.driverWatch);
    await Promise.all([...this.attached.values()].map((a) => a.worker.close().catch(() => undefined)));
    for (const a of this.attached.values()) a.connection.disconnect();
    this.attached.clear();
    this.subscriber.disconnect();
    this.redis.disconnect();
    await this.pool.destroy();
    this.finish();
    return this.done;
  }
}
