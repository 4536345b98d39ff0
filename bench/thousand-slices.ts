/** The load runs: 1,000 slices of tiny jobs on 2 workers. Memory must not grow with the number of jobs run. */
const base = ["--points", "1001", "--no-reference", "--workers", "2"];

/** converged in 4 iterations, about 17,000 jobs: also the dashboard's and Redis's load run */
export const THOUSAND_SLICES = [...base, "--t-end", "100", "--h", "0.01"];

export const THOUSAND_SLICE_RUNS: readonly { label: string; args: readonly string[] }[] = [
  { label: "1,000 slices, converged in 4 iterations (about 17,000 jobs)", args: THOUSAND_SLICES },
  { label: "1,000 slices, 10 iterations (about 20,000 jobs)", args: [...base, "--t-end", "1000", "--h", "0.1", "--max-iterations", "10"] },
  { label: "1,000 slices, 30 iterations (about 60,000 jobs)", args: [...base, "--t-end", "1000", "--h", "0.1", "--max-iterations", "30"] },
];
