/** Levelled logging to stderr or a file, with the original's level names. */
import { appendFileSync } from "node:fs";

export const LEVELS = ["debug", "info", "warning", "error", "critical"] as const;
export type Level = (typeof LEVELS)[number];

export function parseLevel(text: string): Level | undefined {
  const l = text.toLowerCase();
  return (LEVELS as readonly string[]).includes(l) ? (l as Level) : undefined;
}

class Logger {
  private threshold = LEVELS.indexOf("warning");
  private file: string | undefined;
  /** a line could not be appended to the file (said once on stderr) */
  private fileFailed = false;

  configure(options: { level?: Level; file?: string | undefined }): void {
    if (options.level) this.threshold = LEVELS.indexOf(options.level);
    this.file = options.file;
    this.fileFailed = false;
  }

  enabled(level: Level): boolean {
    return LEVELS.indexOf(level) >= this.threshold;
  }

  private write(level: Level, message: string): void {
    if (!this.enabled(level)) return;
    const line = `${level.toUpperCase()}:parareal:${message}\n`;
    if (this.file) {
      try {
        appendFileSync(this.file, line);
        return;
      } catch (e) {
        // a log line never fails what it reports on: say so once, and keep the line on stderr
        if (!this.fileFailed) {
          this.fileFailed = true;
          const code = (e as NodeJS.ErrnoException).code;
          process.stderr.write(`parareal: --log-file ${this.file}: cannot append to it (${code ?? (e as Error).message}); log lines that cannot be written there go to stderr\n`);
        }
      }
    }
    process.stderr.write(line);
  }

  debug(m: string): void {
    this.write("debug", m);
  }
  info(m: string): void {
    this.write("info", m);
  }
  warning(m: string): void {
    this.write("warning", m);
  }
  error(m: string): void {
    this.write("error", m);
  }
  critical(m: string): void {
    this.write("critical", m);
  }
}

export const log = new Logger();
