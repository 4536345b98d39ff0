/** Option parsers: each names the value it got and what is allowed. */
import { InvalidArgumentError } from "commander";
import { parseLevel, type Level } from "../log.js";
import { maxWorkers, THREADS_PER_CORE } from "../exec/limits.js";
import { UsageError } from "../errors.js";

function number(text: string): number {
  // Number("") is 0 and Number(" 1") is 1: be stricter than that
  return /^\s*$/.test(text) ? Number.NaN : Number(text);
}

export function positiveNumber(text: string): number {
  const x = number(text);
  if (!(Number.isFinite(x) && x > 0)) throw new InvalidArgumentError(`\`${text}\` is not allowed: give a finite number > 0.`);
  return x;
}

export function nonNegativeNumber(text: string): number {
  const x = number(text);
  if (!(Number.isFinite(x) && x >= 0)) throw new InvalidArgumentError(`\`${text}\` is not allowed: give a finite number >= 0.`);
  return x;
}

export function integerAtLeast(min: number): (text: string) => number {
  return (text) => {
    const x = number(text);
    if (!(Number.isSafeInteger(x) && x >= min)) throw new InvalidArgumentError(`\`${text}\` is not allowed: give an integer >= ${min}.`);
    return x;
  };
}

export function numberList(text: string): number[] {
  const parts = text.split(",");
  const xs = parts.map(number);
  if (parts.length === 0 || xs.some((x) => !Number.isFinite(x))) {
    throw new InvalidArgumentError(`\`${text}\` is not allowed: give finite numbers separated by commas, e.g. 1,0.`);
  }
  return xs;
}

/** The original's check, word for word: "Invalid log level `X`". */
export function logLevel(text: string): Level {
  const level = parseLevel(text);
  if (!level) throw new UsageError(`Invalid log level \`${text}\` (allowed: debug, info, warning, error, critical)`);
  return level;
}

/** Worker threads: at least 1, at most what threads.ts allows on this machine. */
export function workerCount(text: string): number {
  const x = number(text);
  const max = maxWorkers();
  if (!(Number.isSafeInteger(x) && x >= 1 && x <= max)) {
    throw new InvalidArgumentError(`\`${text}\` is not allowed: give an integer from 1 to ${max} (${THREADS_PER_CORE} per core, at least 16; threads start only as work needs them).`);
  }
  return x;
}

/** The longest delay a Node.js timer takes (2^31 - 1 ms); longer ones fire at once. */
const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/** A duration in seconds, > 0 and at least `min`, at most what a timer can wait (about 24.8 days). */
export function secondsFrom(min: number): (text: string) => number {
  const range = min > 0 ? `from ${min} to ${MAX_TIMER_SECONDS}` : `> 0 and at most ${MAX_TIMER_SECONDS}`;
  return (text) => {
    const x = number(text);
    if (!(Number.isFinite(x) && x > 0 && x >= min && x <= MAX_TIMER_SECONDS)) throw new InvalidArgumentError(`\`${text}\` is not allowed: give a number of seconds ${range}.`);
    return x;
  };
}
