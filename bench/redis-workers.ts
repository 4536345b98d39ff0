/**
 * Redis for the bench: a private redis-server (src/exec/redis/server.ts, the one place the project
 * starts Redis) and `parareal worker` processes on it. The address (with its password) and the
 * shared key reach drivers and workers through PARAREAL_REDIS and PARAREAL_KEY, never argv.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { startRedisServer, type RedisServer } from "../src/exec/redis/server.js";
import { Signer } from "../src/exec/redis/signing.js";
import { pararealArgv } from "./parareal-cli.js";

const BENCH_KEY = "parareal-bench-key-0123456789abcdef0123456789abcdef";

export interface RedisBench {
  readonly url: string;
  /** the environment of a driver or worker on this Redis */
  readonly env: NodeJS.ProcessEnv;
  readonly signer: Signer;
  /** start `n` workers (one job at a time each) and wait until each serves */
  startWorkers(n: number): Promise<void>;
  /** SIGTERM every worker and wait for them: their peak RSS in MiB, as each reports it on exit */
  stopWorkers(): Promise<number[]>;
  /** workers first, then the server */
  close(): Promise<void>;
}

export async function startRedisBench(): Promise<RedisBench> {
  const server: RedisServer = await startRedisServer();
  const env = { ...process.env, PARAREAL_REDIS: server.url, PARAREAL_KEY: BENCH_KEY };
  const workers: { child: ChildProcess; rss: Promise<number> }[] = [];
  const startOne = () =>
    new Promise<void>((resolve, reject) => {
      const [node, ...args] = pararealArgv(["worker", "--concurrency", "1", "--log", "info"]);
      const child = spawn(node!, args, { env, stdio: ["ignore", "ignore", "pipe"] });
      let tail = "";
      child.stderr!.setEncoding("utf8").on("data", (d: string) => {
        tail = (tail + d).slice(-2000);
        if (/serving/.test(tail)) resolve();
      });
      // the worker reports its own peak RSS as it stops
      const rss = new Promise<number>((done) => child.once("exit", () => done(Number(/peak RSS (\d+) MiB/.exec(tail)?.[1]))));
      child.once("exit", (code) => reject(new Error(`parareal worker exited (${code}) before serving: ${tail.trim()}`)));
      child.once("error", reject);
      workers.push({ child, rss });
    });
  const stopWorkers = async () => {
    const stopping = workers.splice(0);
    for (const w of stopping) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill("SIGTERM");
    return Promise.all(stopping.map((w) => w.rss));
  };
  return {
    url: server.url,
    env,
    signer: Signer.fromText(BENCH_KEY, "the bench's key"),
    async startWorkers(n) {
      for (let i = 0; i < n; i++) await startOne();
    },
    stopWorkers,
    async close() {
      await stopWorkers();
      await server.stop(2000);
    },
  };
}
