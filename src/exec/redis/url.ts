/** Redis URL checks and redaction, kept apart from the client so the CLI can start without it. */
import { accessSync, constants, statSync } from "node:fs";
import { strippedLine } from "../../shown.js";

/** The URL without its password, for messages. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "<unparseable Redis URL>";
  }
}

/**
 * Text the URL parser refused, fit to quote: whatever stands before the last `@` (user and
 * password, however malformed) is masked, and control characters go.
 */
function maskRaw(text: string): string {
  const at = text.lastIndexOf("@");
  if (at < 0) return strippedLine(text, 200);
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(text)?.[0] ?? "";
  return strippedLine(`${scheme}***${text.slice(at)}`, 200);
}

export function checkUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`\`${maskRaw(url)}\` is not a Redis URL (expected redis://host:port or rediss://host:port)`);
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") {
    throw new Error(`\`${describeUrl(url)}\` is not a Redis URL (expected redis://host:port or rediss://host:port)`);
  }
  // ioredis reads the path as the database number; anything else fails later and obscurely
  if (!/^\/?(\d{1,9})?$/.test(u.pathname)) {
    throw new Error(`\`${describeUrl(url)}\` names database \`${strippedLine(u.pathname.slice(1), 50)}\`: give a database number (an integer from 0), as in redis://host:port/0`);
  }
}

/** The database number the URL names (0 when none). */
export function urlDatabase(url: string): number {
  const path = new URL(url).pathname.slice(1);
  return path === "" ? 0 : Number(path);
}

/** --redis-ca: a readable regular file, or why not. */
export function checkCaFile(file: string): void {
  try {
    if (!statSync(file).isFile()) throw Object.assign(new Error("not a regular file"), { code: "not a regular file" });
    accessSync(file, constants.R_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new Error(`cannot read \`${strippedLine(file, 200)}\` (${code}): give the PEM file of the certificate authority that signed the server's certificate`);
  }
}
