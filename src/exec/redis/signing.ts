/**
 * Driver and workers share a secret key; everything a driver puts in Redis for workers (the
 * run's announcement, every job, every control message) and every result a worker sends back
 * carries an HMAC-SHA256 over it. Write access to Redis alone then lets nobody drive workers,
 * redirect their files, stop a run or forge a result.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { readFileSync, statSync } from "node:fs";

/** Shortest key accepted: 16 bytes of entropy, written as 32 hex digits or more. */
export const MIN_KEY_LENGTH = 32;
/** Fewest distinct characters in a key: 32 times `a` is long but no secret (hex has 16). */
export const MIN_KEY_VARIETY = 8;

export class Signer {
  private constructor(private readonly key: Buffer) {}

  static fromText(text: string, what: string): Signer {
    const key = text.trim();
    if (key.length < MIN_KEY_LENGTH) throw new Error(`${what}: the key is ${key.length} characters long; give at least ${MIN_KEY_LENGTH} (e.g. \`openssl rand -hex 32\`)`);
    const variety = new Set(key).size;
    if (variety < MIN_KEY_VARIETY) throw new Error(`${what}: the key has only ${variety} distinct characters; give a random one with at least ${MIN_KEY_VARIETY} (e.g. \`openssl rand -hex 32\`)`);
    return new Signer(Buffer.from(key, "utf8"));
  }

  /** A key file must be readable by its owner only, as ssh insists for private keys. */
  static fromFile(path: string): Signer {
    let text: string;
    try {
      const mode = statSync(path).mode & 0o077;
      if (mode !== 0) throw new Error(`key file ${path} is readable by others (mode ${(statSync(path).mode & 0o777).toString(8)}); chmod 600 it`);
      text = readFileSync(path, "utf8");
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new Error(code ? `cannot read key file ${path} (${code})` : (e as Error).message);
    }
    return Signer.fromText(text, `key file ${path}`);
  }

  /** A fresh random key, for a launch that starts its own server (--mpi). */
  static random(): { signer: Signer; text: string } {
    const text = randomBytes(32).toString("hex");
    return { signer: new Signer(Buffer.from(text, "utf8")), text };
  }

  /** The signature of the parts, in order (NUL-separated so that parts cannot shift). */
  sign(...parts: string[]): string {
    const h = createHmac("sha256", this.key);
    for (const p of parts) h.update(p).update("\u0000");
    return h.digest("base64url");
  }

  verify(signature: unknown, ...parts: string[]): boolean {
    if (typeof signature !== "string") return false;
    const expected = Buffer.from(this.sign(...parts));
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
