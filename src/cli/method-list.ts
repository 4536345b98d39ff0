/** `study --methods`: the list of methods to compare, parsed (cheap: the CLI's option parser). */
import { InvalidArgumentError } from "commander";
import { RELAX_NAMES, type RelaxName } from "../config/choices.js";

export interface MethodSpec {
  readonly label: string;
  readonly method: "parareal" | "mgrit";
  readonly relax?: RelaxName;
  readonly levels?: number;
}

/** `parareal`, `mgrit` (FCF, 2 levels), `mgrit/F`, `mgrit/FCF/3`, comma separated. */
export function parseMethods(text: string): MethodSpec[] {
  const specs = text.split(",").map((part) => {
    const [name, relax, levels, ...rest] = part.trim().split("/");
    if (name === "parareal" && relax === undefined) return { label: "parareal", method: "parareal" as const };
    const L = levels === undefined ? 2 : Number(levels);
    if (name !== "mgrit" || rest.length > 0 || (relax !== undefined && !(RELAX_NAMES as readonly string[]).includes(relax)) || !(Number.isSafeInteger(L) && L >= 2)) {
      throw new InvalidArgumentError(`\`${part}\` is not allowed: give parareal, mgrit, mgrit/F, mgrit/FCF or mgrit/<F|FCF>/<levels >= 2>, comma separated.`);
    }
    const r = (relax ?? "FCF") as RelaxName;
    return { label: `mgrit/${r}/${L}`, method: "mgrit" as const, relax: r, levels: L };
  });
  const labels = specs.map((s) => s.label);
  const twice = labels.find((l, i) => labels.indexOf(l) !== i);
  if (twice !== undefined) throw new InvalidArgumentError(`\`${text}\` is not allowed: ${twice} is named twice.`);
  return specs;
}
