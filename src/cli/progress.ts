/** A progress bar over iterations, on a TTY only. */

export interface IterationProgress {
  update(k: number, maxdif: number | undefined): void;
  stop(): void;
}

export async function iterationProgress(total: number, enabled: boolean): Promise<IterationProgress> {
  if (!enabled || !process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const { default: cliProgress } = await import("cli-progress"); // only a terminal needs it
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
