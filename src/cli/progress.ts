/** A progress bar over iterations, on a TTY only. */
import cliProgress from "cli-progress";

export interface IterationProgress {
  update(k: number, maxdif: number | undefined): void;
  stop(): void;
}

export function iterationProgress(total: number, enabled: boolean): IterationProgress {
  if (!enabled || !process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: "parareal |{bar}| iteration {value}/{total} maxdif {maxdif}", hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { maxdif: "-" });
  return {
    update: (k, maxdif) => bar.update(k, { maxdif: maxdif === undefined ? "-" : maxdif.toExponential(3) }),
    stop: () => bar.stop(),
  };
}
