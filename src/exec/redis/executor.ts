/**
 * The distributed executor: jobs go to a BullMQ queue of this run's own on Redis, `parareal
 * worker` processes anywhere run them, and results come back as BullMQ completion events.
 * Ordering, dependencies and cancellation stay in the driver (QueueExecutor); Redis only holds
 * jobs whose inputs exist.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { Queue, QueueEvents } from "bullmq";
import type { Redis } from "ioredis";
import { log } from "../../log.js";
import { QueueExecutor, type RunControl } from "../executor.js";
import type { JobOutput, JobPayload } from "../job.js";
import { connectRedis, createRedis, describeUrl, type RedisSettings } from "./connection.js";
import { aliveKey, CONTROL_CHANNEL, deleteRunKeys, HEARTBEAT_MS, HEARTBEAT_TIMEOUT_MS, modulesKey, PREFIX, queueName, rootKey, RUNS_KEY, workersKey, type ControlMessage } from "./keys.js";

export interface RedisExecutorOptions {
  /** attempts per job before the run fails (a job that throws is retried) */
  readonly attempts?: number;
  /** run id: namespaces the run's keys; random by default */
  readonly runId?: string;
  /** fail the run when Redis stays unreachable this long */
  readonly outageMs?: number;
  /** the run's archive root (its output directory): workers refuse jobs naming paths outside it */
  readonly root?: string;
  /** the problem modules (file URLs) the run names: workers import no other */
  readonly modules?: readonly string[];
}

interface Pending {
  readonly payload: JobPayload;
  readonly priority: number;
  resolve(out: JobOutput): void;
  reject(e: Error): void;
}

export function newRunId(): string {
  return `${hostname().replace(/[^\w-]/g, "").slice(0, 20) || "host"}-${process.pid}-${randomBytes(4).toString("hex")}`;
}

export class RedisExecutor extends QueueExecutor {
  private readonly pending = new Map<string, Pending>();
  private disconnected = false;
  private outage: NodeJS.Timeout | undefined;
  private lastProgress = Date.now();
  private readonly watchdog: NodeJS.Timeout;

  private constructor(
    readonly runId: string,
    private readonly redis: Redis,
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly attempts: number,
    /** connections given to BullMQ: it does not close connections it did not open */
    private readonly connections: Redis[],
    describe: string,
    outageMs: number,
  ) {
    // Redis holds every job whose inputs exist; BullMQ priorities keep earlier iterations first
    super(Number.POSITIVE_INFINITY);
    events.on("completed", ({ jobId, returnvalue }) => this.settle(jobId, returnvalue as unknown));
    events.on("active", () => (this.lastProgress = Date.now()));
    // the commonest mistake: no worker serves this Redis. Say so rather than wait in silence.
    this.watchdog = setInterval(() => {
      if (this.pending.size > 0 && Date.now() - this.lastProgress > 30_000) {
        log.warning(`run ${runId}: no job started for 30 s; is a \`parareal worker --redis ${describe}\` running?`);
        this.lastProgress = Date.now();
      }
    }, 5000).unref();
    events.on("failed", ({ jobId, failedReason }) => {
      const p = this.pending.get(jobId);
      if (!p) return;
      this.pending.delete(jobId);
      p.reject(new Error(failedReason));
    });
    // After a reconnection Redis may have restarted empty: put back every job still awaited.
    // Adding a job under an existing id is a no-op, and a job run twice writes the same file.
    redis.on("close", () => {
      if (this.disconnected) return;
      this.disconnected = true;
      // reconnection is retried for ever underneath; the run itself gives up after outageMs
      this.outage = setTimeout(() => this.failAll(new Error(`lost the connection to Redis at ${describe} for ${outageMs / 1000} s`)), outageMs);
    });
    redis.on("ready", () => {
      if (!this.disconnected) return;
      this.disconnected = false;
      clearTimeout(this.outage);
      void this.resubmit();
    });
  }

  static async open(settings: RedisSettings, options: RedisExecutorOptions = {}): Promise<RedisExecutor> {
    const redis = await connectRedis(settings);
    const runId = options.runId ?? newRunId();
    const connections = [createRedis(settings), createRedis(settings)];
    const queue = new Queue(queueName(runId), { connection: connections[0]!, prefix: PREFIX });
    const events = new QueueEvents(queueName(runId), { connection: connections[1]!, prefix: PREFIX });
    queue.on("error", (e) => log.debug(`queue: ${e.message}`));
    events.on("error", (e) => log.debug(`queue events: ${e.message}`));
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    const executor = new RedisExecutor(runId, redis, queue, events, options.attempts ?? 3, connections, describeUrl(settings.url), options.outageMs ?? 60_000);
    executor.root = options.root;
    executor.modules = options.modules ?? [];
    await executor.announce();
    log.info(`run ${runId}: jobs go to Redis queue ${PREFIX}:${queueName(runId)}`);
    return executor;
  }

  private root: string | undefined;
  private modules: readonly string[] = [];

  private heartbeat: NodeJS.Timeout | undefined;

  private async beat(): Promise<void> {
    await this.redis.set(aliveKey(this.runId), String(process.pid), "PX", HEARTBEAT_TIMEOUT_MS);
  }

  private async announce(): Promise<void> {
    await this.beat();
    this.heartbeat ??= setInterval(() => void this.beat().catch(() => undefined), HEARTBEAT_MS).unref();
    // the root first: a worker that hears of the run reads it before taking a job
    if (this.root !== undefined) await this.redis.set(rootKey(this.runId), this.root);
    if (this.modules.length > 0) await this.redis.sadd(modulesKey(this.runId), ...this.modules);
    await this.redis.sadd(RUNS_KEY, this.runId);
    await this.publish({ type: "start", run: this.runId });
  }

  private async publish(message: ControlMessage): Promise<void> {
    await this.redis.publish(CONTROL_CHANNEL, JSON.stringify(message));
  }

  /** Wait until `count` workers have attached to this run (an MPI launch knows how many will). */
  async waitForWorkers(count: number, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await this.redis.scard(workersKey(this.runId))) < count) {
      if (Date.now() > deadline) throw new Error(`only ${await this.redis.scard(workersKey(this.runId))} of ${count} worker ranks attached after ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private failAll(e: Error): void {
    for (const [, p] of this.pending) p.reject(e);
    this.pending.clear();
  }

  private settle(jobId: string, value: unknown): void {
    const p = this.pending.get(jobId);
    if (!p) return;
    this.pending.delete(jobId);
    this.lastProgress = Date.now();
    const out = (typeof value === "string" ? JSON.parse(value) : value) as JobOutput;
    p.resolve(out);
  }

  private batch: { jobId: string; p: Pending }[] = [];

  /** Jobs that become ready in the same tick go to Redis in one round trip (addBulk). */
  private add(jobId: string, p: Pending): void {
    if (this.batch.length === 0) setImmediate(() => void this.flush());
    this.batch.push({ jobId, p });
  }

  private async flush(): Promise<void> {
    const batch = this.batch;
    this.batch = [];
    const opts = { attempts: this.attempts, backoff: { type: "fixed" as const, delay: 200 }, removeOnComplete: true, removeOnFail: true };
    try {
      await this.queue.addBulk(batch.map(({ jobId, p }) => ({ name: "solve", data: p.payload, opts: { ...opts, jobId, priority: p.priority } })));
    } catch (e) {
      for (const { jobId, p } of batch) {
        this.pending.delete(jobId);
        p.reject(e as Error);
      }
    }
  }

  private async resubmit(): Promise<void> {
    log.warning(`run ${this.runId}: reconnected to Redis, resubmitting ${this.pending.size} unfinished jobs`);
    try {
      await this.announce();
      for (const [id, p] of this.pending) this.add(id, p);
    } catch (e) {
      log.warning(`run ${this.runId}: resubmission failed: ${(e as Error).message}`);
    }
  }

  protected run(payload: JobPayload, control: RunControl): Promise<JobOutput> {
    const jobId = `j${control.id}`; // BullMQ refuses the id "0"
    const { iteration, kind } = payload.solver;
    return new Promise<JobOutput>((resolve, reject) => {
      // lower is sooner in BullMQ: iteration first, coarse before fine
      const p: Pending = { payload, priority: 1 + 2 * iteration + (kind === "fine" ? 1 : 0), resolve, reject };
      this.pending.set(jobId, p);
      this.add(jobId, p);
      control.onAbandon(() => void this.abandon(jobId));
    });
  }

  /** Remove a queued job; ask the worker running it to stop. */
  private async abandon(jobId: string): Promise<void> {
    const p = this.pending.get(jobId);
    this.pending.delete(jobId);
    p?.reject(new Error("cancelled"));
    try {
      const job = await this.queue.getJob(jobId);
      const state = job ? await job.getState() : "unknown";
      if (job && (state === "waiting" || state === "prioritized" || state === "delayed")) await job.remove();
      else if (state === "active") await this.publish({ type: "cancel", run: this.runId, jobs: [jobId] });
    } catch (e) {
      // the job may have finished or moved meanwhile; cleanup at close removes what is left
      log.debug(`abandon ${jobId}: ${(e as Error).message}`);
    }
  }

  /** End the run: workers are told, the queue and every key of the run are removed. */
  protected async shutdown(): Promise<void> {
    this.failAll(new Error("executor closed"));
    clearTimeout(this.outage);
    clearInterval(this.watchdog);
    clearInterval(this.heartbeat);
    let timer: NodeJS.Timeout | undefined;
    const giveUp = new Promise<void>((resolve) => (timer = setTimeout(resolve, 5000)));
    // with Redis gone, cleanup would wait for ever: bound it
    await Promise.race([this.cleanup(), giveUp]);
    clearTimeout(timer);
  }

  private async cleanup(): Promise<void> {
    try {
      await this.redis.srem(RUNS_KEY, this.runId);
      await this.publish({ type: "end", run: this.runId });
      await this.events.close();
      await this.queue.close();
      // the run's namespace is ours alone: delete all of it (BullMQ's obliterate refuses a queue
      // that a restarted Redis no longer knows as paused, and leaves keys of workers still closing)
      await deleteRunKeys(this.redis, this.runId);
    } finally {
      this.redis.disconnect();
      for (const c of this.connections) c.disconnect();
    }
  }

  /** With abandoned jobs told to stop, there is nothing to wait for before ending the run. */
  override async close(): Promise<void> {
    await super.close(0);
  }
}
