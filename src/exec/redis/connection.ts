/** Redis connections from a URL: redis://[user:password@]host:port[/db], or rediss:// for TLS. */
import { readFileSync } from "node:fs";
import { Redis, type RedisOptions } from "ioredis";
import { UsageError } from "../../errors.js";
import { log } from "../../log.js";
import { checkCaFile, checkUrl, describeUrl, urlDatabase } from "./url.js";

export { checkUrl, describeUrl };

export interface RedisSettings {
  readonly url: string;
  /** PEM file of the CA that signed the server's certificate (rediss:// only) */
  readonly caFile?: string | undefined;
}

/**
 * URLs whose password the server turned out not to need: connections leave it out, or ioredis
 * would print a warning of its own for every one of them.
 */
const passwordNotNeeded = new Set<string>();

function withoutAuth(url: string, dropDatabase: boolean): string {
  const u = new URL(url);
  u.username = "";
  u.password = "";
  if (dropDatabase) u.pathname = "";
  return u.toString();
}

export function redisOptions(settings: RedisSettings): RedisOptions {
  const options: RedisOptions = {
    // BullMQ needs commands to wait through reconnections rather than fail after N retries
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(100 * times, 2000),
  };
  if (new URL(settings.url).protocol === "rediss:") {
    options.tls = settings.caFile ? { ca: readFileSync(settings.caFile) } : {};
  }
  return options;
}

export function createRedis(settings: RedisSettings): Redis {
  const url = passwordNotNeeded.has(settings.url) ? withoutAuth(settings.url, false) : settings.url;
  const redis = new Redis(url, redisOptions(settings));
  // ioredis prints unhandled connection errors itself; reconnection is expected, so log quietly
  redis.on("error", (e: Error) => log.debug(`redis: ${e.message}`));
  return redis;
}

/** The credentials of a URL, as AUTH takes them. */
function credentials(url: string): string[] {
  const u = new URL(url);
  if (u.password === "") return [];
  const password = decodeURIComponent(u.password);
  return u.username === "" ? [password] : [decodeURIComponent(u.username), password];
}

/**
 * Connect and check with PING, giving up after `timeoutMs` with one clear message (wrong host,
 * wrong password, TLS mismatch, a database the server does not have) instead of retrying forever.
 * The probe authenticates and selects the database itself, so that it can tell a password the
 * server does not need (one warning, then connections without it) from a wrong one.
 */
export async function connectRedis(settings: RedisSettings, timeoutMs = 5000): Promise<Redis> {
  checkUrl(settings.url);
  if (settings.caFile !== undefined) {
    try {
      checkCaFile(settings.caFile);
    } catch (e) {
      throw new UsageError(`--redis-ca: ${(e as Error).message}`);
    }
  }
  const database = urlDatabase(settings.url);
  const auth = credentials(settings.url);
  const deadline = Date.now() + timeoutMs;
  let why = "timed out";
  // retry refused connections until the deadline; a wrong password or TLS mismatch is final
  for (;;) {
    const redis = new Redis(withoutAuth(settings.url, true), {
      ...redisOptions(settings),
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      enableReadyCheck: false,
      disableClientInfo: true,
    });
    let lastError: Error | undefined;
    redis.on("error", (e: Error) => (lastError = e));
    let unneeded = false;
    let missingDatabase: number | undefined;
    try {
      await Promise.race([
        (async () => {
          await redis.connect();
          if (auth.length > 0) {
            try {
              await redis.call("AUTH", ...auth);
            } catch (e) {
              if (!/no password is set|without any password configured/i.test((e as Error).message)) throw e;
              unneeded = true;
            }
          }
          if (database !== 0) {
            try {
              await redis.select(database);
            } catch (e) {
              if (!/DB index is out of range/i.test((e as Error).message)) throw e;
              const reply = (await redis.config("GET", "databases").catch(() => [])) as unknown[];
              missingDatabase = Number(reply[1] ?? Number.NaN);
              return;
            }
          }
          await redis.ping();
        })(),
        new Promise((_, reject) => setTimeout(() => reject(new Error("timed out")), Math.max(100, deadline - Date.now()))),
      ]);
      redis.disconnect();
      if (missingDatabase !== undefined) {
        const has = Number.isSafeInteger(missingDatabase) && missingDatabase > 0 ? ` (it has ${missingDatabase}: 0 to ${missingDatabase - 1})` : "";
        throw new UsageError(`--redis: ${describeUrl(settings.url)} names database ${database}, which the server does not have${has}`);
      }
      if (unneeded && !passwordNotNeeded.has(settings.url)) {
        passwordNotNeeded.add(settings.url);
        log.warning(`Redis at ${describeUrl(settings.url)} requires no password: the one in the URL is not used (secure the server with requirepass)`);
      }
      return createRedis(settings);
    } catch (e) {
      redis.disconnect();
      if (e instanceof UsageError) throw e;
      why = (lastError ?? (e as Error)).message.replace(/^ReplyError: /, "");
      const final = /WRONGPASS|NOAUTH|NOPERM|certificate|SSL|TLS|ECONNRESET/i.test(why);
      if (final || Date.now() + 200 > deadline) break;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  // a plain client talking to a TLS port gets its connection reset or closed, with no word why
  const hint = new URL(settings.url).protocol === "redis:" && /ECONNRESET|Connection is closed|socket hang up/.test(why) ? " (a TLS port? use rediss://)" : "";
  throw new Error(`cannot reach Redis at ${describeUrl(settings.url)}: ${oneLineWhy(why)}${hint}`);
}

function oneLineWhy(why: string): string {
  return why.split("\n")[0] ?? why;
}
