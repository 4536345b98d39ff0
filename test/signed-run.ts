/**
 * A run announced in Redis by the tests themselves, signed with the test key as a driver signs it:
 * its announcement, and a heartbeat kept fresh (stamped with the server's clock) until stopped,
 * since workers serve only runs whose driver beats.
 */
import type { Redis } from "ioredis";
import { aliveKey, announceKey, CONTROL_CHANNEL, HEARTBEAT_MS, HEARTBEAT_TIMEOUT_MS, redisTime, RUNS_KEY } from "../src/exec/redis/keys.js";
import { sealAnnouncement, sealControl, sealHeartbeat } from "../src/exec/redis/messages.js";
import type { Signer } from "../src/exec/redis/signing.js";

export interface SignedRun {
  /** stop beating and say "end", as a driver does */
  end(): Promise<void>;
}

/** Announce `run` (root, no modules), beat for it, add it to the active runs and say "start". */
export async function announceSignedRun(client: Redis, signer: Signer, run: string, root: string): Promise<SignedRun> {
  await client.set(announceKey(run), sealAnnouncement(signer, { run, root, modules: [] }));
  const beat = async () => client.set(aliveKey(run), sealHeartbeat(signer, run, await redisTime(client)), "PX", HEARTBEAT_TIMEOUT_MS);
  await beat();
  const timer = setInterval(() => void beat().catch(() => undefined), HEARTBEAT_MS).unref();
  await client.sadd(RUNS_KEY, run);
  await client.publish(CONTROL_CHANNEL, sealControl(signer, { type: "start", run }));
  return {
    async end() {
      clearInterval(timer);
      await client.srem(RUNS_KEY, run);
      await client.publish(CONTROL_CHANNEL, sealControl(signer, { type: "end", run }));
    },
  };
}
