/**
 * Writing only under one root directory: every path is checked to lie inside it, and no directory
 * between the root and the file may be a symbolic link (which could lead outside). Files are
 * written under a fresh temporary name and renamed, so a symlink planted at the file's own name is
 * replaced, never written through.
 */
import { lstatSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";

export class OutsideRoot extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OutsideRoot";
  }
}

/** `path` resolved, after checking it is `root` or below it (lexically). */
export function insideRoot(root: string, path: string): string {
  const r = resolve(root);
  const p = resolve(r, path);
  const rel = relative(r, p);
  if (rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel))) return p;
  throw new OutsideRoot(`${path} is outside ${r}`);
}

/** Every directory from root (excluded) down to `dir` exists as a real directory, made when missing. */
export function confinedDir(root: string, dir: string): string {
  const target = insideRoot(root, dir);
  const r = resolve(root);
  mkdirSync(r, { recursive: true });
  const parts = relative(r, target).split(sep).filter(Boolean);
  let at = r;
  for (const part of parts) {
    at = `${at}${sep}${part}`;
    let st;
    try {
      st = lstatSync(at);
    } catch {
      mkdirSync(at);
      continue;
    }
    if (st.isSymbolicLink()) throw new OutsideRoot(`${at} is a symbolic link; refusing to write through it`);
    if (!st.isDirectory()) throw new OutsideRoot(`${at} is not a directory`);
  }
  return target;
}

/** Write a file under root: its directory checked (and made), the content renamed into place. */
export function writeConfined(root: string, path: string, data: Buffer | string): void {
  const target = insideRoot(root, path);
  if (target === resolve(root)) throw new OutsideRoot(`cannot write the root ${target} itself as a file`);
  confinedDir(root, dirname(target));
  const temp = `${target}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    writeFileSync(temp, data, { flag: "wx" });
    renameSync(temp, target);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
}

/** Make a new directory under root that did not exist (so nothing in it predates us). */
export function freshDir(root: string, dir: string): string {
  const target = insideRoot(root, dir);
  confinedDir(root, dirname(target));
  mkdirSync(target);
  return target;
}
