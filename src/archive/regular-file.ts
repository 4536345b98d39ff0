/**
 * Reading files of a run directory, which anyone with write access may have replaced: a FIFO
 * there would block read(2) forever (no signal ends a process stuck in a thread's read), a device
 * could be endless. So such files are opened without blocking (O_NONBLOCK: a FIFO opens at once,
 * with no writer) and read only when fstat says they are regular files.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync, statSync, type Stats } from "node:fs";

/** The file at a path is there, but not a regular file: one line naming it and what it is. */
export class NotRegularFileError extends Error {
  readonly code = "ENOTREG";
}

/** What a file that is not a regular one is, for messages: "a FIFO", "a directory", ... */
export function fileKind(s: Stats): string {
  if (s.isDirectory()) return "a directory";
  if (s.isFIFO()) return "a FIFO";
  if (s.isSocket()) return "a socket";
  if (s.isCharacterDevice()) return "a character device";
  if (s.isBlockDevice()) return "a block device";
  return "not a regular file";
}

function refuse(path: string, s: Stats): never {
  throw new NotRegularFileError(`${path}: not a regular file (${fileKind(s)}); remove it or give another path`);
}

/**
 * Open `path` for reading only if it is a regular file (following symbolic links, as any open).
 * Errors: the open's own (ENOENT, EACCES, ...) or NotRegularFileError. The caller closes the fd.
 */
export function openRegularFile(path: string): number {
  // stat first, so a device is never even opened; fstat after, for what was actually opened
  const before = statSync(path);
  if (!before.isFile()) refuse(path, before);
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const opened = fstatSync(fd);
    if (!opened.isFile()) refuse(path, opened);
    return fd;
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/** The whole content of the regular file at `path` (see openRegularFile for the errors). */
export function readRegularFile(path: string): Buffer;
export function readRegularFile(path: string, encoding: BufferEncoding): string;
export function readRegularFile(path: string, encoding?: BufferEncoding): Buffer | string {
  const fd = openRegularFile(path);
  try {
    return encoding === undefined ? readFileSync(fd) : readFileSync(fd, encoding);
  } finally {
    closeSync(fd);
  }
}
