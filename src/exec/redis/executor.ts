/**
 * The distributed executor: jobs go to a BullMQ queue of this run's own on Redis, `parareal
 * worker` processes anywhere run them, and results come back as BullMQ completion events.
 * Ordering, dependencies and cancellation stay in the driver (QueueExecutor); Redis only holds
 * jobs whose inputs exist. Everything put in Redis is signed with the key driver and workers share.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { Queue, QueueEvents } from "bullmq";
import type { Redis } from "ioredis";
import { CancelledError } from "../../errors.js";
import { log } from "../../log.js";
import { QueueExecutor, type RunControl } from "../executor.js";
import type { JobAdapter, Runtime, WireOutput } from "../job.js";
import { connectRedis, createRedis, describeUrl, type RedisSettings } from "./connection.js";
import { aliveKey, announceKey, CONTROL_CHANNEL, deleteRunKeys, HEARTBEAT_MS, HEARTBEAT_TIMEOUT_MS, PREFIX, queueName, RUNS_KEY, workersKey, type ControlMessage } from "./keys.js";
import { openResult, sealAnnouncement, sealControl, sealHeartbeat, sealJob } from "./messages.js";
import type { Signer } from "./signing.js";

export interface RedisExecutorOptions {
  /** attempts per job before the run fails (a job that throws is retried) */
  readonly attempts?: number;
  /** run id: namespaces the run's keys; random by default */
  readonly runId?: string;
  /** fail the run when Redis stays unreachable this long */
  readonly outageMs?: number;
  /** the run's archive root (its output directory): workers refuse jobs naming paths outside it */
  readonly root: string;
  /** the problem modules (file URLs) the run names: workers import no other */
  readonly modules?: readonly string[];
  /** the key shared with the workers */
  readonly signer: Signer;
}

interface Pending<P> {
  readonly payload: P;
  readonly priority: number;
  resolve(out: unknown): void;
  reject(e: Error): void;
}

export function newRunId(): string {
  return `${hostname().replace(/[^\w-]/g, "").slice(0, 20) || "host"}-${process.pid}-${randomBytes(4).toString("hex")}`;
}

export class RedisExecutor<J, V, P, O extends WireOutput> extends QueueExecutor<J, V, P, O> {
  private readonly pending = new Map<string, Pending<P>>();
  private disconnected = false;
  private outage: NodeJS.Timeout | undefined;
  private lastProgress = Date.now();
  private readonly watchdog: NodeJS.Timeout;
  private heartbeat: NodeJS.Timeout | undefined;
  private lost = false;

  private constructor(
    adapter: JobAdapter<J, V, P, O>,
    runtime: Runtime<P, O>,
    readonly runId: string,
    private readonly redis: Redis,
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly options: Required<Omit<RedisExecutorOptions, "runId">>,
    /** connections given to BullMQ: it does not close connections it did not open */
    private readonly connections: Redis[],
    describe: string,
  ) {
    // Redis holds every job whose inputs exist; BullMQ priorities keep earlier iterations first
    super(Number.POSITIVE_INFINITY, adapter, runtime);
    events.on("completed", ({ jobId, returnvalue }) => this.settle(jobId, returnvalue as unknown));
    events.on("active", () => (this.lastProgress = Date.now()));
    // the commonest mistake: no worker serves this Redis. Say so rather than wait in silence.
    this.watchdog = setInterval(() => {
      if (this.pending.size > 0 && Date.now() - this.lastProgress > 30_000) {
        log.warning(`run ${runId}: no job started for 30 s; is a \`parareal worker --redis ${describe}\` running, with the same key?`);
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
      this.outage = setTimeout(() => this.failAll(new Error(`lost the connection to Redis at ${describe} for ${options.outageMs / 1000} s`)), options.outageMs);
    });
    redis.on("ready", () => {
      if (!this.disconnected) return;
      this.disconnected = false;
      clearTimeout(this.outage);
      void this.resubmit();
    });
  }

  static async open<J, V, P, O extends WireOutput>(settings: RedisSettings, adapter: JobAdapter<J, V, P, O>, runtime: Runtime<P, O>, options: RedisExecutorOptions): Promise<RedisExecutor<J, V, P, O>> {
    const redis = await connectRedis(settings);
    const runId = options.runId ?? newRunId();
    const connections = [createRedis(settings), createRedis(settings)];
    const queue = new Queue(queueName(runId), { connection: connections[0] as Redis, prefix: PREFIX });
    const events = new QueueEvents(queueName(runId), { connection: connections[1] as Redis, prefix: PREFIX });
    queue.on("error", (e) => log.debug(`queue: ${e.message}`));
    events.on("error", (e) => log.debug(`queue events: ${e.message}`));
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    const resolved = { attempts: options.attempts ?? 3, outageMs: options.outageMs ?? 60_000, root: options.root, modules: options.modules ?? [], signer: options.signer };
    const executor = new RedisExecutor(adapter, runtime, runId, redis, queue, events, resolved, connections, describeUrl(settings.url));
    await executor.announce();
    log.info(`run ${runId}: jobs go to Redis queue ${PREFIX}:${queueName(runId)}`);
    return executor;
  }

  private async beat(): Promise<void> {
    // the announcement is ours alone: if it is gone while we are connected, someone removed the run
    if (!this.disconnected && !this.lost && (await this.redis.exists(announceKey(this.runId))) === 0) {
      this.lost = true;
      this.failAll(new Error(`run ${this.runId}: its keys were removed from Redis while it ran (by another client?)`));
      return;
    }
    await this.redis.set(aliveKey(this.runId), sealHeartbeat(this.options.signer, this.runId), "PX", HEARTBEAT_TIMEOUT_MS);
  }

  private async announce(): Promise<void> {
    const { signer, root, modules } = this.options;
    // the announcement first: a worker that hears of the run reads it before taking a job
    await this.redis.set(announceKey(this.runId), sealAnnouncement(signer, { run: this.runId, root, modules }));
    await this.beat();
    this.heartbeat ??= setInterval(() => void this.beat().catch(() => undefined), HEARTBEAT_MS).unref();
    await this.redis.sadd(RUNS_KEY, this.runId);
    await this.publish({ type: "start", run: this.runId });
  }

  private async publish(message: ControlMessage): Promise<void> {
    await this.redis.publish(CONTROL_CHANNEL, sealControl(this.options.signer, message));
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
    const out = openResult(this.options.signer, this.runId, jobId, value);
    if (out === undefined) {
      // not from a worker holding the key: ignore it, the real answer is still to come
      log.warning(`run ${this.runId}: ignored an unsigned or forged result for job ${jobId}`);
      return;
    }
    this.pending.delete(jobId);
    this.lastProgress = Date.now();
    p.resolve(out);
  }

  private batch: { jobId: string; p: Pending<P> }[] = [];

  /** Jobs that become ready in the same tick go to Redis in one round trip (addBulk). */
  private add(jobId: string, p: Pending<P>): void {
    if (this.batch.length === 0) setImmediate(() => void this.flush());
    this.batch.push({ jobId, p });
  }

  private async flush(): Promise<void> {
    const batch = this.batch;
    this.batch = [];
    const opts = { attempts: this.options.attempts, backoff: { type: "fixed" as const, delay: 200 }, removeOnComplete: true, removeOnFail: true };
    try {
      await this.queue.addBulk(
        batch.map(({ jobId, p }) => ({ name: "solve", data: sealJob(this.options.signer, this.runId, jobId, p.payload), opts: { ...opts, jobId, priority: p.priority } })),
      );
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

  protected run(payload: P, control: RunControl): Promise<O> {
    const jobId = `j${control.id}`; // BullMQ refuses the id "0"
    const { iteration, urgent } = control.info;
    return new Promise<O>((resolve, reject) => {
      // lower is sooner in BullMQ: iteration first, the coarse chain before other work
      const p: Pending<P> = { payload, priority: 1 + 2 * iteration + (urgent ? 0 : 1), resolve: (out) => resolve(out as O), reject };
      this.pending.set(jobId, p);
      this.add(jobId, p);
      control.onAbandon(() => void this.abandon(jobId));
    });
  }

  /** Remove a queued job; ask the worker running it to stop. */
  private async abandon(jobId: string): Promise<void> {
    const p = this.pending.get(jobId);
    this.pending.delete(jobId);
    p?.reject(new CancelledError());
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
    // our own disconnection is no outage: its 60 s timer would hold the process open
    this.disconnected = true;
    this.redis.disconnect();
    for (const c of this.connections) c.disconnect();
  }

  private async cleanup(): Promise<void> {
    await this.redis.srem(RUNS_KEY, this.runId);
    await this.publish({ type: "end", run: this.runId });
    await this.events.close();
    await this.queue.close();
    // the run's namespace is ours alone: delete all of it (BullMQ's obliterate refuses a queue
    // that a restarted Redis no longer knows as paused, and leaves keys of workers still closing)
    await deleteRunKeys(this.redis, this.runId);
  }

  /** With abandoned jobs told to stop, there is nothing to wait for before ending the run. */
  override async close(): Promise<void> {
    await super.close(0);
  }
}
