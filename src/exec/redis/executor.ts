/**
 * The distributed executor: jobs go to a BullMQ queue of this run's own on Redis, `parareal
 * worker` processes anywhere run them, and results come back as BullMQ completion events.
 * Ordering, dependencies and cancellation stay in the driver (QueueExecutor); Redis only holds
 * jobs whose inputs exist. Everything put in Redis is signed with the key driver and workers share,
 * and the driver acts only on results and failures a worker signed. Anyone may write to the event
 * stream, delete or pause jobs: every few seconds the driver also reads each awaited job's state
 * from Redis itself (reconcile), so that no lost, forged or malformed event can hang a run.
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
import { aliveKey, announceKey, CONTROL_CHANNEL, deleteRunKeys, HEARTBEAT_MS, HEARTBEAT_TIMEOUT_MS, jobKey, PREFIX, queueName, redisTime, RUNS_KEY, workersKey, type ControlMessage } from "./keys.js";
import { openFailure, openResult, sealAnnouncement, sealControl, sealHeartbeat, sealJob } from "./messages.js";
import type { Signer } from "./signing.js";

/** How long the queue's and the events' own closes may take before the run's keys are deleted anyway. */
const BULLMQ_CLOSE_MS = 1500;

/** Wait for `work`, but no longer than `ms` (its outcome is then left to itself). */
async function atMost(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

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
  /** in Redis (addBulk answered): only then can its absence mean anything */
  submitted: boolean;
  /** times it vanished from Redis or failed without a signed reason, and was put back */
  resubmitted: number;
}

/** how often the driver reads the state of every awaited job from Redis itself */
export const RECONCILE_MS = 2000;
/** a job that vanishes (or fails unsigned) this many times fails the run */
const MAX_RESUBMITS = 3;

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
  /** shutdown began: nothing more may be written for this run (no announcement, no job) */
  private ending = false;
  private readonly reconciler: NodeJS.Timeout;
  private reconciling = false;
  private eventsRestart: NodeJS.Timeout | undefined;
  /** warnings already given: one of each kind per run, whatever an attacker floods */
  private readonly warned = new Set<string>();

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
    // a malformed event (anyone can XADD one) ends BullMQ's read loop: start it again, and look
    // at Redis at once for what was missed meanwhile
    events.on("error", () => this.restartEvents());
    // the commonest mistake: no worker serves this Redis. Say so rather than wait in silence.
    this.watchdog = setInterval(() => {
      if (this.pending.size > 0 && Date.now() - this.lastProgress > 30_000) {
        log.warning(`run ${runId}: no job started for 30 s; is a \`parareal worker --redis ${describe}\` running, with the same key?`);
        this.lastProgress = Date.now();
      }
    }, 5000).unref();
    events.on("failed", ({ jobId, failedReason }) => this.failed(jobId, failedReason));
    this.reconciler = setInterval(() => void this.reconcile(), RECONCILE_MS).unref();
    // After a reconnection Redis may have restarted empty: put back every job still awaited.
    // Adding a job under an existing id is a no-op, and a job run twice writes the same file.
    redis.on("close", () => {
      if (this.disconnected) return;
      this.disconnected = true;
      // reconnection is retried for ever underneath; the run itself gives up after outageMs
      this.outage = setTimeout(() => this.failAll(new Error(`lost the connection to Redis at ${describe} for ${options.outageMs / 1000} s`)), options.outageMs);
    });
    redis.on("ready", () => {
      if (!this.disconnected || this.ending) return;
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
    // stamped with Redis's own clock: workers take a heartbeat older than their timeout for a replay
    const at = await redisTime(this.redis);
    if (this.ending) return;
    await this.redis.set(aliveKey(this.runId), sealHeartbeat(this.options.signer, this.runId, at), "PX", HEARTBEAT_TIMEOUT_MS);
  }

  private async announce(): Promise<void> {
    const { signer, root, modules } = this.options;
    // the announcement first: a worker that hears of the run reads it before taking a job.
    // Each step checks `ending`: once shutdown has removed the run, nothing may bring it back
    // (a reconnection during shutdown would otherwise re-add it to the set of runs for ever).
    if (this.ending) return;
    await this.redis.set(announceKey(this.runId), sealAnnouncement(signer, { run: this.runId, root, modules }));
    await this.beat();
    this.heartbeat ??= setInterval(() => void this.beat().catch(() => undefined), HEARTBEAT_MS).unref();
    if (this.ending) return;
    await this.redis.sadd(RUNS_KEY, this.runId);
    if (this.ending) return;
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

  private warnOnce(kind: string, message: string): void {
    if (this.warned.has(kind)) return;
    this.warned.add(kind);
    log.warning(`run ${this.runId}: ${message}`);
  }

  /** A result (from an event or read from Redis): taken when a worker signed it. */
  private settle(jobId: string, value: unknown): boolean {
    const p = this.pending.get(jobId);
    if (!p) return true;
    const out = openResult(this.options.signer, this.runId, jobId, value);
    if (out === undefined) {
      // not from a worker holding the key: ignore it, the real answer is still to come
      this.warnOnce("forged", "ignored a result or failure that no worker holding the run's key signed (another client writes to its Redis queue?)");
      return false;
    }
    this.pending.delete(jobId);
    this.lastProgress = Date.now();
    this.forget(jobId);
    p.resolve(out);
    return true;
  }

  /** A failure (from an event or read from Redis): fails the job when a worker signed its reason. */
  private failed(jobId: string, failedReason: unknown): boolean {
    const p = this.pending.get(jobId);
    if (!p) return true;
    const reason = openFailure(this.options.signer, this.runId, jobId, failedReason);
    if (reason === undefined) {
      this.warnOnce("forged", "ignored a result or failure that no worker holding the run's key signed (another client writes to its Redis queue?)");
      return false;
    }
    this.pending.delete(jobId);
    this.forget(jobId);
    p.reject(new Error(reason));
    return true;
  }

  /** A settled job is kept in Redis until read (its event may be lost): remove it now. */
  private forget(jobId: string): void {
    if (this.ending) return;
    void this.queue.remove(jobId).catch((e: Error) => log.debug(`remove ${jobId}: ${e.message}`));
  }

  private restartEvents(): void {
    if (this.ending || this.eventsRestart) return;
    void this.reconcile();
    this.eventsRestart = setTimeout(() => {
      this.eventsRestart = undefined;
      if (this.ending) return;
      // run() refuses while the loop still runs (an error that did not end it): nothing to do then
      this.events.run().catch((e: Error) => {
        if (!/already running/.test(e.message)) this.events.emit("error", e);
      });
    }, 200);
    this.eventsRestart.unref();
  }

  /**
   * Read the state of every awaited job from Redis: a result or failure whose event was lost or
   * never sent is taken from the job itself; a job that vanished (deleted, a Redis restart) or failed
   * without a signed reason (forged, or refused as forged by a worker) is put back, and fails the
   * run after MAX_RESUBMITS times; a paused queue is resumed.
   */
  private async reconcile(): Promise<void> {
    if (this.reconciling || this.disconnected || this.ending) return;
    const ids = [...this.pending].filter(([, p]) => p.submitted).map(([id]) => id);
    if (ids.length === 0) return;
    this.reconciling = true;
    try {
      if (await this.queue.isPaused()) {
        this.warnOnce("paused", "its Redis queue was paused (by another client); resumed it");
        await this.queue.resume();
      }
      const states = await Promise.all(ids.map((id) => this.queue.getJobState(id)));
      for (const [i, id] of ids.entries()) {
        if (this.ending || this.disconnected) return;
        const state = states[i];
        if (!this.pending.has(id)) continue;
        if (state === "active") this.lastProgress = Date.now();
        else if (state === "completed" || state === "failed") {
          const [returnvalue, failedReason] = await this.redis.hmget(jobKey(this.runId, id), "returnvalue", "failedReason");
          const taken = state === "completed" ? this.settle(id, parseJson(returnvalue)) : this.failed(id, failedReason);
          if (!taken) await this.resubmitOne(id, `${state} without a worker's signature`);
        } else if (state === "unknown") await this.resubmitOne(id, "vanished from Redis");
      }
    } catch (e) {
      log.debug(`run ${this.runId}: reconcile: ${(e as Error).message}`);
    } finally {
      this.reconciling = false;
    }
  }

  private async resubmitOne(jobId: string, why: string): Promise<void> {
    const p = this.pending.get(jobId);
    if (!p) return;
    p.resubmitted++;
    if (p.resubmitted > MAX_RESUBMITS) {
      this.pending.delete(jobId);
      p.reject(new Error(`its Redis job ${jobId} ${why} ${p.resubmitted} times (another client removes or forges this run's jobs?)`));
      return;
    }
    this.warnOnce(`resubmit ${why}`, `a job ${why}; put it back (another client changed the run's queue, or Redis restarted)`);
    // what is left of it (a hash out of every list, a forged failure) would make the add a no-op
    await this.queue.remove(jobId).catch((e: Error) => log.debug(`remove ${jobId}: ${e.message}`));
    if (this.pending.get(jobId) === p && !this.ending) this.add(jobId, p);
  }

  private batch: { jobId: string; p: Pending<P> }[] = [];

  /** Jobs that become ready in the same tick go to Redis in one round trip (addBulk). */
  private add(jobId: string, p: Pending<P>): void {
    p.submitted = false;
    if (this.batch.length === 0) setImmediate(() => void this.flush());
    this.batch.push({ jobId, p });
  }

  private async flush(): Promise<void> {
    const batch = this.batch.filter(({ jobId, p }) => this.pending.get(jobId) === p);
    this.batch = [];
    if (batch.length === 0 || this.ending) return;
    // finished jobs stay until the driver has read them (their event may never come), then it
    // removes them; the age limit only bounds what a driver that stopped listening leaves
    const keep = { age: 600 };
    const opts = { attempts: this.options.attempts, backoff: { type: "fixed" as const, delay: 200 }, removeOnComplete: keep, removeOnFail: keep };
    try {
      await this.queue.addBulk(
        batch.map(({ jobId, p }) => ({ name: "solve", data: sealJob(this.options.signer, this.runId, jobId, p.payload), opts: { ...opts, jobId, priority: p.priority } })),
      );
      for (const { p } of batch) p.submitted = true;
    } catch (e) {
      for (const { jobId, p } of batch) {
        this.pending.delete(jobId);
        p.reject(e as Error);
      }
    }
  }

  private async resubmit(): Promise<void> {
    if (this.ending) return;
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
      const p: Pending<P> = { payload, priority: 1 + 2 * iteration + (urgent ? 0 : 1), resolve: (out) => resolve(out as O), reject, submitted: false, resubmitted: 0 };
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
    this.ending = true;
    this.failAll(new Error("executor closed"));
    clearTimeout(this.outage);
    clearTimeout(this.eventsRestart);
    clearInterval(this.watchdog);
    clearInterval(this.heartbeat);
    clearInterval(this.reconciler);
    // with Redis gone, cleanup would wait for ever: bound it
    await atMost(this.cleanup(), 5000);
    // our own disconnection is no outage: its 60 s timer would hold the process open
    this.disconnected = true;
    this.redis.disconnect();
    for (const c of this.connections) c.disconnect();
  }

  private async cleanup(): Promise<void> {
    await this.redis.srem(RUNS_KEY, this.runId);
    await this.publish({ type: "end", run: this.runId });
    // BullMQ's closes wait on their own connections (a blocking read, a reconnection after an
    // outage): bounded, so that the run's keys are deleted even when one of them hangs
    await atMost(Promise.allSettled([this.events.close(), this.queue.close()]), BULLMQ_CLOSE_MS);
    // the run's namespace is ours alone: delete all of it (BullMQ's obliterate refuses a queue
    // that a restarted Redis no longer knows as paused, and leaves keys of workers still closing)
    await deleteRunKeys(this.redis, this.runId);
  }

  /** With abandoned jobs told to stop, there is nothing to wait for before ending the run. */
  override async close(): Promise<void> {
    await super.close(0);
  }
}

function parseJson(text: string | null | undefined): unknown {
  if (typeof text !== "string") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
