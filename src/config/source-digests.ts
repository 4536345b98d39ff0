/**
 * What a run's numbers come from besides its parameters: the problem module's file and the
 * programs a solver command names. run.json records their SHA-256, so that --resume, which
 * reuses fine files, refuses when one of them changed since (the files would be another
 * problem's or another solver's).
 */
import { createHash } from "node:crypto";
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from "node:fs";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** SHA-256 (hex) of the files behind a run, by what names them. */
export interface SourceDigests {
  /** the problem module (--problem ./x.mjs) */
  readonly module?: string;
  /** files the --fine-cmd template names (its program, a script it runs), by the word that names them */
  readonly fineCommand?: Readonly<Record<string, string>>;
  readonly coarseCommand?: Readonly<Record<string, string>>;
}

/** Larger files (an interpreter, an installed simulator) are told apart by size and change time. */
const HASHED_BYTES = 64 << 20;

/**
 * The digest of a regular file, or undefined when `path` is none (not there, a directory, a
 * FIFO: opened without blocking and never read).
 */
export function fileDigest(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return undefined;
    if (stat.size > HASHED_BYTES) return `size ${stat.size}, changed ${stat.mtime.toISOString()}`;
    const hash = createHash("sha256");
    const buffer = Buffer.alloc(1 << 20);
    for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) hash.update(buffer.subarray(0, n));
    return hash.digest("hex");
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** The words of a shell command template, quotes removed; words with placeholders or operators are skipped. */
function templateWords(template: string): string[] {
  const words: string[] = [];
  for (const m of template.matchAll(/'([^']*)'|"([^"]*)"|([^\s'"]+)/g)) {
    const word = m[1] ?? m[2] ?? m[3] ?? "";
    if (word === "" || word.includes("{") || /^[|&;<>()$`\\]/.test(word)) continue;
    words.push(word);
  }
  return words;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** A command's program looked up as /bin/sh would: a name without a slash is searched in PATH. */
function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const path = join(dir, name);
    if (isFile(path)) return path;
  }
  return undefined;
}

/** Digests of the files a command template names (relative to the working directory, as it runs). */
export function commandDigests(template: string): Record<string, string> {
  const out: Record<string, string> = {};
  templateWords(template).forEach((word, i) => {
    // the program itself, named without a slash, is found in PATH; any other word as a path
    const path = i === 0 && !word.includes("/") ? onPath(word) : isAbsolute(word) ? word : resolve(word);
    const digest = path === undefined ? undefined : fileDigest(path);
    if (digest !== undefined && !Object.hasOwn(out, word)) out[word] = digest;
  });
  return out;
}

/** What run.json records of the sources of a run: only what it has (built-in problems and solvers have none). */
export function sourceDigests(module: string | undefined, fineCommand: string | undefined, coarseCommand: string | undefined): SourceDigests | undefined {
  const moduleDigest = module === undefined ? undefined : fileDigest(fileURLToPath(module));
  const fine = fineCommand === undefined ? undefined : commandDigests(fineCommand);
  const coarse = coarseCommand === undefined ? undefined : commandDigests(coarseCommand);
  const digests: SourceDigests = {
    ...(moduleDigest === undefined ? {} : { module: moduleDigest }),
    ...(fine === undefined || Object.keys(fine).length === 0 ? {} : { fineCommand: fine }),
    ...(coarse === undefined || Object.keys(coarse).length === 0 ? {} : { coarseCommand: coarse }),
  };
  return Object.keys(digests).length === 0 ? undefined : digests;
}
