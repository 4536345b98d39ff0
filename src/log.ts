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

  configure(options: { level?: Level; file?: string | undefined }): void {
    if (options.level) this.threshold = LEVELS.indexOf(options.level);
    this.file = options.file;
  }

  enabled(level: Level): boolean {
    return LEVELS.indexOf(level) >= this.threshold;
  }

  private write(level: Level, message: string): void {
    if (!this.enabled(level)) return;
    const line = `${level.toUpperCase()}:parareal:${message}\n`;
    if (this.file) appendFileSync(this.file, line);
    else process.stderr.write(line);
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
