/**
 * Paths named by jobs from a queue that others may write to must stay inside the run's archive
 * root: lexically (absolute, normalised, no `..`) and after resolving symlinks, for the files a
 * job reads and for the directories it writes into. Roots themselves must be specific: never `/`
 * nor a system directory.
 */
import { existsSync, realpathSync } from "node:fs";
import { dirname, isAbsolute, join, normalize, relative, sep } from "node:path";

/**
 * Directories a run's root may not be nor lie inside (the system's own trees: /var/log, /root/.ssh,
 * /run, /opt/...), except below the few places meant for anyone's files; and directories it may not
 * be, though a run may have a directory of its own inside them.
 */
const SYSTEM_TREES = ["/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/opt", "/proc", "/root", "/run", "/sbin", "/srv", "/sys", "/usr", "/var"];
// /var/home: where /home leads on some distributions (Fedora Silverblue)
const OPEN_TREES = ["/var/tmp", "/var/home"];
const SYSTEM_DIRS = ["/", "/home", "/media", "/mnt", "/tmp", "/var/tmp", "/var/home"];

function inside(p: string, root: string): boolean {
  if (p === root) return true;
  const r = relative(root, p);
  return r !== "" && !r.startsWith("..") && !isAbsolute(r);
}

function lexical(p: string, what: string): void {
  if (!isAbsolute(p) || normalize(p) !== p || p.split(sep).includes("..") || p.includes("\u0000")) {
    throw new Error(`${what} \`${p}\` is not an absolute, normalised path`);
  }
}

/** Why a directory cannot be a run's archive root, or undefined when it can. */
export function rootProblem(root: string): string | undefined {
  if (!isAbsolute(root) || normalize(root) !== root.replace(/(.)\/+$/, "$1") || root.split(sep).includes("..")) return `\`${root}\` is not an absolute, normalised path`;
  const candidates = [root.replace(/(.)\/+$/, "$1")];
  try {
    candidates.push(realOf(candidates[0] as string));
  } catch {
    // not there (yet): the lexical checks are all we can do
  }
  for (const r of candidates) {
    const open = OPEN_TREES.some((s) => inside(r, s));
    if (SYSTEM_DIRS.includes(r) || (!open && SYSTEM_TREES.some((s) => inside(r, s)))) return `\`${root}\` is \`/\` or a system directory`;
  }
  return undefined;
}

/** The real path of p: its deepest existing ancestor resolved, the rest appended as named. */
function realOf(p: string): string {
  let existing = p;
  const rest: string[] = [];
  while (!existsSync(existing)) {
    const parent = dirname(existing);
    if (parent === existing) break;
    rest.unshift(existing.slice(parent.length).replace(/^\//, ""));
    existing = parent;
  }
  return join(realpathSync(existing), ...rest);
}

/**
 * `p` inside `root`: lexically, and after resolving symlinks (of `p` or of its deepest existing
 * ancestor, for a directory still to be made). Errors name the path and say why.
 */
export function confine(p: string, root: string, what: string): void {
  lexical(p, what);
  const r = normalize(root).replace(/(.)\/+$/, "$1");
  if (!inside(p, r)) throw new Error(`${what} \`${p}\` is outside the run's archive root ${r}`);
  let realRoot: string;
  try {
    realRoot = realpathSync(r);
  } catch (e) {
    throw new Error(`the run's archive root ${r} is not reachable here (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); it must be on a filesystem every worker shares`);
  }
  const real = realOf(p);
  if (!inside(real, realRoot)) throw new Error(`${what} \`${p}\` leads outside the run's archive root through a symbolic link (to ${real})`);
}
