/** Built-in problems by name, so a solver spec can name its problem and a worker rebuild it. */
import { harmonicOscillator } from "../ode/harmonic.js";
import type { Problem } from "../ode/problem.js";

export interface ProblemSpec {
  readonly name: string;
  readonly params: Readonly<Record<string, number>>;
}

interface ProblemEntry {
  readonly description: string;
  readonly defaults: Readonly<Record<string, number>>;
  build(params: Readonly<Record<string, number>>): Problem;
}

export const problems: Readonly<Record<string, ProblemEntry>> = {
  harmonic: {
    description: "damped harmonic oscillator q'' + 2 zeta omega0 q' + omega0^2 q = 0, state (q, p)",
    defaults: { omega0: 1.0, zeta: 0.5 },
    build: (p) => harmonicOscillator(p.omega0!, p.zeta!),
  },
};

export function buildProblem(spec: ProblemSpec): Problem {
  const entry = Object.hasOwn(problems, spec.name) ? problems[spec.name] : undefined;
  if (!entry) throw new Error(`unknown problem \`${spec.name}\` (known: ${Object.keys(problems).join(", ")})`);
  for (const key of Object.keys(spec.params)) {
    if (!(key in entry.defaults)) throw new Error(`problem \`${spec.name}\` has no parameter \`${key}\``);
  }
  return entry.build({ ...entry.defaults, ...spec.params });
}
