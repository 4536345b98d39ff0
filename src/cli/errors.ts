/** Errors the CLI reports as one line: bad input exits 2, runtime failures exit 1. */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
