/**
 * Lazy, serializable vector expressions. Arithmetic on a Vector builds a tree of named
 * operations instead of computing, so the combine step `c1 + f1 - c2` can travel to any
 * worker as data and be reduced where its value is needed.
 */
import type { IndexItem } from "../ndarray/indexing.js";

export type BinaryOp = "add" | "sub";
export type UnaryOp = "scale";

export abstract class Vector {
  abstract readonly kind: "literal" | "unary" | "binary" | "h5snap";

  add(other: Vector): Binary {
    return new Binary("add", this, other);
  }

  sub(other: Vector): Binary {
    return new Binary("sub", this, other);
  }

  scale(factor: number): Unary {
    return new Unary("scale", factor, this);
  }
}

export class Literal extends Vector {
  readonly kind = "literal" as const;
  readonly value: Float64Array;

  constructor(value: Float64Array | readonly number[]) {
    super();
    this.value = value instanceof Float64Array ? value : Float64Array.from(value);
  }
}

export class Unary extends Vector {
  readonly kind = "unary" as const;
  constructor(
    readonly op: UnaryOp,
    readonly factor: number,
    readonly input: Vector,
  ) {
    super();
  }
}

export class Binary extends Vector {
  readonly kind = "binary" as const;
  constructor(
    readonly op: BinaryOp,
    readonly left: Vector,
    readonly right: Vector,
  ) {
    super();
  }
}

/** A slice of a dataset in an HDF5 file: the fine solver's result stays on disk. */
export class H5Snap extends Vector {
  readonly kind = "h5snap" as const;
  constructor(
    readonly path: string,
    readonly dataset: string,
    readonly index: readonly IndexItem[],
  ) {
    super();
  }
}

export function literal(value: Float64Array | readonly number[]): Literal {
  return new Literal(value);
}

/** The parareal correction, in the original's order of operations: `(c1 + f1) - c2`. */
export function combine(c1: Vector, f1: Vector, c2: Vector): Vector {
  return c1.add(f1).sub(c2);
}

/** Every H5Snap leaf of an expression. */
export function snapshots(expr: Vector, out: H5Snap[] = []): H5Snap[] {
  switch (expr.kind) {
    case "h5snap":
      out.push(expr as H5Snap);
      break;
    case "unary":
      snapshots((expr as Unary).input, out);
      break;
    case "binary":
      snapshots((expr as Binary).left, out);
      snapshots((expr as Binary).right, out);
      break;
    case "literal":
      break;
  }
  return out;
}
