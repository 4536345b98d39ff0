/**
 * A value that will exist later; can be cancelled. The scheduler's unit of dataflow, with Dask's
 * vocabulary: `result()`, `done()`, `cancel()`, `cancelled()`.
 */
import { CancelledError } from "../errors.js";

export { CancelledError };

export type FutureState = "pending" | "fulfilled" | "rejected" | "cancelled";

export class Future<T> {
  readonly promise: Promise<T>;
  private settle!: { resolve: (v: T) => void; reject: (e: unknown) => void };
  private cancelHooks: (() => void)[] = [];
  private current: FutureState = "pending";

  constructor() {
    this.promise = new Promise<T>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    // a cancelled future nobody awaits must not crash the process as an unhandled rejection
    this.promise.catch(() => undefined);
  }

  static resolved<T>(value: T): Future<T> {
    const f = new Future<T>();
    f.resolve(value);
    return f;
  }

  /** A future of all inputs; rejects as soon as one input rejects. */
  static all<T>(inputs: readonly Future<T>[]): Future<T[]> {
    const f = new Future<T[]>();
    Promise.all(inputs.map((i) => i.promise)).then(
      (v) => f.resolve(v),
      (e) => f.reject(e),
    );
    return f;
  }

  get state(): FutureState {
    return this.current;
  }

  get settled(): boolean {
    return this.current !== "pending";
  }

  /** The value, once it exists (Dask's `future.result()`); rejects if the job failed or was cancelled. */
  result(): Promise<T> {
    return this.promise;
  }

  /** Finished, failed or cancelled (Dask's `future.done()`). */
  done(): boolean {
    return this.settled;
  }

  cancelled(): boolean {
    return this.current === "cancelled";
  }

  resolve(value: T): void {
    if (this.current !== "pending") return;
    this.current = "fulfilled";
    this.settle.resolve(value);
  }

  reject(error: unknown): void {
    if (this.current !== "pending") return;
    this.current = "rejected";
    this.settle.reject(error);
  }

  /** Stop caring about this value: queued work never starts, running work is abandoned. */
  cancel(): boolean {
    if (this.current !== "pending") return false;
    this.current = "cancelled";
    this.settle.reject(new CancelledError());
    for (const hook of this.cancelHooks) hook();
    this.cancelHooks = [];
    return true;
  }

  onCancel(hook: () => void): void {
    if (this.current === "pending") this.cancelHooks.push(hook);
  }

  /** A derived future computed locally from this one's value (no job). */
  map<U>(f: (value: T) => U): Future<U> {
    const out = new Future<U>();
    this.promise.then(
      (v) => {
        try {
          out.resolve(f(v));
        } catch (e) {
          out.reject(e);
        }
      },
      (e) => out.reject(e),
    );
    return out;
  }
}
