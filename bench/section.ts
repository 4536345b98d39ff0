/** One part of the bench: a name to select it by, a line for `--list`, and what it measures. */
import type { Table } from "./table.js";

export interface Section {
  readonly name: string;
  /** one line for --list: the target it measures */
  readonly about: string;
  /** roughly how long it takes on an idle 2-core machine, for --list */
  readonly seconds: number;
  run(): Promise<Table[]>;
}
