/**
 * The bench's own child processes (GNU time, parareal workers, redis-server, chromium), found by
 * their parent id in /proc: killed when the bench exits, so that a section that failed or timed
 * out leaves nothing running.
 */
import { readdirSync, readFileSync } from "node:fs";

/** pids whose parent is this process */
export function ownChildren(): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === process.pid) pids.push(Number(name));
    } catch {
      // ended meanwhile
    }
  }
  return pids;
}

export function killOwnChildren(): void {
  for (const pid of ownChildren()) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // ended meanwhile
    }
  }
}
