/** The project's own error types. */

/**
 * The one error for work that was cancelled: a future nobody needs any more, an integration told
 * to stop between chunks, a command killed on convergence.
 */
export class CancelledError extends Error {
  constructor(what = "job") {
    super(`${what} was cancelled`);
    this.name = "CancelledError";
  }
}

/** Whether an error is a cancellation (also when rebuilt elsewhere with its name). */
export function isCancelled(e: unknown): boolean {
  return e instanceof CancelledError || (e instanceof Error && e.name === "CancelledError");
}

/** Bad input from the user: the CLI reports it as one line and exits 2 (runtime failures exit 1). */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
