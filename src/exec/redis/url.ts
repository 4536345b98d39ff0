/** Redis URL checks and redaction, kept apart from the client so the CLI can start without it. */

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

export function checkUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`\`${url}\` is not a Redis URL (expected redis://host:port or rediss://host:port)`);
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") {
    throw new Error(`\`${describeUrl(url)}\` is not a Redis URL (expected redis://host:port or rediss://host:port)`);
  }
}
