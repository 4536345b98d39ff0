/** Redis connections from a URL: redis://[user:password@]host:port[/db], or rediss:// for TLS. */
import { readFileSync } from "node:fs";
import { Redis, type RedisOptions } from "ioredis";
import { log } from "../../log.js";
import { checkUrl, describeUrl } from "./url.js";

export { checkUrl, describeUrl };

export interface RedisSettings {
  readonly url: string;
  /** PEM file of the CA that signed the server's certificate (rediss:// only) */
  readonly caFile?: string | undefined;
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
  const redis = new Redis(settings.url, redisOptions(settings));
  // ioredis prints unhandled connection errors itself; reconnection is expected, so log quietly
  redis.on("error", (e: Error) => log.debug(`redis: ${e.message}`));
  return redis;
}

/**
 * Connect and check with PING, giving up after `timeoutMs` with one clear message (wrong host,
 * wrong password, TLS mismatch) instead of retrying forever.
 */
export async function connectRedis(settings: RedisSettings, timeoutMs = 5000): Promise<Redis> {
  checkUrl(settings.url);
  const deadline = Date.now() + timeoutMs;
  let why = "timed out";
  // retry refused connections until the deadline; a wrong password or TLS mismatch is final
  for (;;) {
    const redis = new Redis(settings.url, { ...redisOptions(settings), lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    let lastError: Error | undefined;
    redis.on("error", (e: Error) => (lastError = e));
    try {
      await Promise.race([
        (async () => {
          await redis.connect();
          await redis.ping();
        })(),
        new Promise((_, reject) => setTimeout(() => reject(new Error("timed out")), Math.max(100, deadline - Date.now()))),
      ]);
      redis.disconnect();
      return createRedis(settings);
    } catch (e) {
      redis.disconnect();
      why = (lastError ?? (e as Error)).message.replace(/^ReplyError: /, "");
      const final = /WRONGPASS|NOAUTH|NOPERM|certificate|SSL|TLS|ECONNRESET/i.test(why);
      if (final || Date.now() + 200 > deadline) break;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  // a plain client talking to a TLS port gets its connection reset or closed, with no word why
  const hint = new URL(settings.url).protocol === "redis:" && /ECONNRESET|Connection is closed|socket hang up/.test(why) ? " (a TLS port? use rediss://)" : "";
  throw new Error(`cannot reach Redis at ${describeUrl(settings.url)}: ${why}${hint}`);
}
