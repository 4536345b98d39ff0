/**
 * A redis-server of our own: for an MPI launch without --redis, for the tests and the benchmark.
 * Random password by default, no persistence, its configuration through stdin (the password never
 * shows in the process list). The one place this project starts Redis.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer, type AddressInfo } from "node:net";
import { hostname } from "node:os";
import { Redis } from "ioredis";

export interface RedisServerOptions {
  /** address to listen on (loopback by default; a node's address when ranks span nodes) */
  readonly bind?: string;
  /** a free port by default */
  readonly port?: number;
  /** requirepass (or, with `user`, that ACL user's password); random by default, "" for none */
  readonly password?: string;
  /** an ACL user that gets every permission; the default user is then disabled */
  readonly user?: string;
  /** more configuration lines (TLS, ...) */
  readonly config?: readonly string[];
  /** the URL scheme clients use (rediss for TLS) */
  readonly scheme?: "redis" | "rediss";
  /** how clients reach it, when not `bind` (a TLS certificate's host name) */
  readonly host?: string;
}

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** stop it (after its clients have left, up to `waitMs`) */
  stop(waitMs?: number): Promise<void>;
  /** stop at once and start again on the same port, empty */
  restart(): Promise<void>;
}

export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function launch(config: string): { child: ChildProcess; failed: Promise<never> } {
  const child = spawn("redis-server", ["-"], { stdio: ["pipe", "ignore", "ignore"] });
  const failed = new Promise<never>((_, reject) => child.once("error", (e) => reject(new Error(`cannot start redis-server (is it on PATH?): ${e.message}`))));
  failed.catch(() => undefined);
  child.stdin?.end(config);
  return { child, failed };
}

async function waitUntilUp(url: string, tls: boolean, failed: Promise<never>): Promise<void> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, ...(tls ? { tls: { rejectUnauthorized: false } } : {}) });
  probe.on("error", () => undefined);
  const ready = (async () => {
    for (let i = 0; i < 200; i++) {
      try {
        await probe.connect();
        await probe.ping();
        return;
      } catch {
        probe.disconnect();
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    throw new Error("redis-server did not start");
  })();
  try {
    await Promise.race([ready, failed]);
  } finally {
    probe.disconnect();
  }
}

/** Give clients time to finish their cleanup and disconnect before the server goes. */
async function waitForClientsToLeave(url: string, tls: boolean, timeoutMs: number): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 0, retryStrategy: () => null, ...(tls ? { tls: { rejectUnauthorized: false } } : {}) });
  redis.on("error", () => undefined);
  try {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const info = await redis.info("clients");
      const clients = Number(/connected_clients:(\d+)/.exec(info)?.[1] ?? "1");
      if (clients <= 1) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch {
    // the server is gone already
  } finally {
    redis.disconnect();
  }
}

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const bind = options.bind ?? "127.0.0.1";
  const port = options.port ?? (await freePort(bind));
  const password = options.password ?? randomBytes(24).toString("hex");
  const tls = options.scheme === "rediss";
  const lines = [tls ? "port 0" : `port ${port}`, ...(tls ? [`tls-port ${port}`] : []), `bind ${bind}`, 'save ""', "appendonly no", "protected-mode yes"];
  if (options.user !== undefined) lines.push("user default off", `user ${options.user} on >${password} ~* &* +@all`);
  else if (password !== "") lines.push(`requirepass ${password}`);
  lines.push(...(options.config ?? []));
  const config = lines.join("\n") + "\n";
  const host = options.host ?? (bind === "0.0.0.0" ? hostname() : bind);
  const auth = password === "" ? "" : `${options.user ?? ""}:${password}@`;
  const url = `${options.scheme ?? "redis"}://${auth}${host}:${port}`;
  let current = launch(config);
  await waitUntilUp(url, tls, current.failed);
  const kill = async (signal: NodeJS.Signals) => {
    const { child } = current;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill(signal);
    await exited;
  };
  return {
    url,
    port,
    stop: async (waitMs = 10_000) => {
      if (waitMs > 0) await waitForClientsToLeave(url, tls, waitMs);
      await kill("SIGTERM");
    },
    restart: async () => {
      await kill("SIGKILL");
      current = launch(config);
      await waitUntilUp(url, tls, current.failed);
    },
  };
}
