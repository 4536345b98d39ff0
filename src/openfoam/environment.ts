/**
 * The OpenFOAM environment: what sourcing its etc/bashrc sets, captured once per process so every
 * application is spawned directly with it (no `bash -c '. bashrc; app'` per job). Failures are one
 * line each: OpenFOAM missing, a bashrc that does not exist, one that does not set OpenFOAM up,
 * an application that is not there.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, readdirSync, statSync } from "node:fs";
import { delimiter, join } from "node:path";

export interface FoamEnvironment {
  /** the bashrc that was sourced; undefined when this process was started in a sourced shell */
  readonly bashrc: string | undefined;
  readonly env: Readonly<Record<string, string>>;
  /** WM_PROJECT_VERSION, e.g. v1912 */
  readonly version: string;
}

/** OpenFOAM is missing or its environment cannot be set up; the message is one line. */
export class OpenFoamUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OpenFoamUnavailable";
  }
}

/** Environment variable naming the bashrc to source when none is given. */
export const BASHRC_VARIABLE = "PARAREAL_OPENFOAM_BASHRC";

/** Where distributions install OpenFOAM: Debian/Ubuntu's openfoam, openfoam.com's and openfoam.org's packages. */
function installedBashrcs(): string[] {
  const found: string[] = [];
  const direct = "/usr/share/openfoam/etc/bashrc";
  if (existsSync(direct)) found.push(direct);
  for (const [parent, prefix] of [
    ["/usr/lib/openfoam", "openfoam"],
    ["/opt", "openfoam"],
  ] as const) {
    let names: string[] = [];
    try {
      names = readdirSync(parent).filter((n) => n.toLowerCase().startsWith(prefix)).sort().reverse();
    } catch {
      continue;
    }
    for (const n of names) {
      const rc = join(parent, n, "etc", "bashrc");
      if (existsSync(rc)) found.push(rc);
    }
  }
  return found;
}

const MARK = "\u0000--parareal-env--\u0000";

/** Source `bashrc` in bash and return the environment it leaves (its own output is discarded). */
function source(bashrc: string): Record<string, string> {
  if (!existsSync(bashrc)) throw new OpenFoamUnavailable(`OpenFOAM environment file ${bashrc} does not exist`);
  // bashrc files use unset variables and print errors on some installs: tolerate both. OpenFOAM's
  // bashrc reads its own arguments, which a plain `. file` inherits from the caller: clear them
  // (with the file's path left in $@ it sources itself until bash crashes)
  const script = `set +u; rc="$1"; set --; . "$rc" >/dev/null 2>&1; printf '${MARK.replaceAll("\u0000", "\\0")}'; env -0`;
  const r = spawnSync("bash", ["-c", script, "bash", bashrc], { encoding: "utf8", maxBuffer: 16 << 20, stdio: ["ignore", "pipe", "pipe"] });
  if (r.error) throw new OpenFoamUnavailable(`cannot run bash to source ${bashrc}: ${r.error.message}`);
  const at = r.stdout.indexOf(MARK);
  if (at < 0) {
    const last = r.stderr.trim().split("\n").pop() ?? "";
    throw new OpenFoamUnavailable(`sourcing ${bashrc} ended the shell (exit ${r.status})${last ? `: ${last}` : ""}`);
  }
  const env: Record<string, string> = {};
  for (const pair of r.stdout.slice(at + MARK.length).split("\u0000")) {
    const eq = pair.indexOf("=");
    if (eq > 0) env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

function checked(env: Record<string, string>, from: string, bashrc: string | undefined): FoamEnvironment {
  const dir = env.WM_PROJECT_DIR;
  if (!dir) throw new OpenFoamUnavailable(`${from} did not set up OpenFOAM (WM_PROJECT_DIR is not set)`);
  if (!existsSync(dir)) throw new OpenFoamUnavailable(`${from} set WM_PROJECT_DIR to ${dir}, which does not exist`);
  return { bashrc, env, version: env.WM_PROJECT_VERSION ?? "unknown" };
}

const captured = new Map<string, FoamEnvironment>();

/**
 * The OpenFOAM environment, captured once per process and bashrc. Without `bashrc`: this process's
 * own environment if OpenFOAM is already sourced in it, else $PARAREAL_OPENFOAM_BASHRC, else an
 * installed bashrc (/usr/share/openfoam, /usr/lib/openfoam/openfoam*, /opt/openfoam*).
 */
export function foamEnvironment(options: { bashrc?: string | undefined } = {}): FoamEnvironment {
  let bashrc = options.bashrc ?? process.env[BASHRC_VARIABLE];
  if (bashrc === undefined && process.env.WM_PROJECT_DIR) {
    const key = "(process)";
    const known = captured.get(key);
    if (known) return known;
    const env = checked({ ...(process.env as Record<string, string>) }, "this shell's environment", undefined);
    captured.set(key, env);
    return env;
  }
  if (bashrc === undefined) {
    bashrc = installedBashrcs()[0];
    if (bashrc === undefined) {
      throw new OpenFoamUnavailable(
        `OpenFOAM not found: no etc/bashrc in /usr/share/openfoam, /usr/lib/openfoam/openfoam* or /opt/openfoam* (install OpenFOAM, e.g. Debian's openfoam package, or set ${BASHRC_VARIABLE} to its etc/bashrc)`,
      );
    }
  }
  const known = captured.get(bashrc);
  if (known) return known;
  const env = checked(source(bashrc), `sourcing ${bashrc}`, bashrc);
  captured.set(bashrc, env);
  return env;
}

/** The absolute path of an OpenFOAM application on the environment's PATH. */
export function findApplication(foam: FoamEnvironment, app: string): string {
  if (!/^[\w.+-]+$/.test(app)) throw new OpenFoamUnavailable(`\`${app}\` is not an application name`);
  for (const dir of (foam.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const path = join(dir, app);
    try {
      accessSync(path, constants.X_OK);
      if (statSync(path).isFile()) return path;
    } catch {
      // not here
    }
  }
  const from = foam.bashrc ? `set by ${foam.bashrc}` : "of this shell";
  throw new OpenFoamUnavailable(`OpenFOAM application \`${app}\` not found on the PATH ${from} (OpenFOAM ${foam.version})`);
}
