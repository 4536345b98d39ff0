import { test } from "node:test";
import assert from "node:assert/strict";
import { MessageChannel } from "node:worker_threads";
import { decode, encode, fromJSON, toJSON } from "../src/expr/codec.js";
import { applyIndex, index, indexRange } from "../src/ndarray/indexing.js";
import { reduce } from "../src/evaluate/reduce.js";
import { Binary, combine, H5Snap, literal, Literal, Unary, type Vector } from "../src/expr/vector.js";

test("add, sub and scale build expressions and reduce to their values", () => {
  const a = literal([1, 2, 3]);
  const b = literal([0.5, -1, 4]);
  const e = a.add(b).sub(b.scale(2));
  assert.ok(e instanceof Binary);
  assert.equal(e.op, "sub");
  assert.ok(e.right instanceof Unary);
  assert.deepEqual(Array.from(reduce(e)), [1 + 0.5 - 1, 2 - 1 + 2, 3 + 4 - 8]);
  // building does not compute: the operands are untouched
  assert.deepEqual(Array.from(a.value), [1, 2, 3]);
});

test("combine is (c1 + f1) - c2, in that order", () => {
  const [c1, f1, c2] = [literal([1e16]), literal([1]), literal([1e16])];
  const e = combine(c1, f1, c2);
  assert.ok(e instanceof Binary && e.left instanceof Binary);
  assert.equal(e.left.op, "add");
  // (1e16 + 1) - 1e16 is 0 in float64: the order is observable, and it is the original's
  assert.equal(reduce(e)[0], 1e16 + 1 - 1e16);
});

test("mismatched lengths fail with a message", () => {
  assert.throws(() => reduce(literal([1, 2]).add(literal([1]))), /lengths 2 and 1/);
});

const samples: Vector[] = [
  literal([1, -0, 1e-300, Number.MAX_VALUE, Math.PI]),
  literal([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]),
  combine(literal([1, 2]), new H5Snap("/tmp/x.h5", "data", index(-1)), literal([0.1, 0.2])).scale(-0.5),
  new H5Snap("out/f.h5", "data", index(indexRange(1, null, -2), 0)),
];

function same(a: Vector, b: Vector): void {
  assert.equal(b.constructor, a.constructor);
  assert.equal(toJSON(b), toJSON(a));
  if (a instanceof Literal) {
    const x = (b as Literal).value;
    assert.ok(x instanceof Float64Array);
    a.value.forEach((v, i) => assert.ok(Object.is(v, x[i]), `element ${i}: ${v} vs ${x[i]}`));
  }
}

test("every expression round-trips through JSON unchanged, NaN and infinities included", () => {
  for (const e of samples) {
    const back = fromJSON(JSON.stringify(JSON.parse(toJSON(e))));
    same(e, back);
    if (e instanceof Literal) {
      const x = reduce(e);
      const y = reduce(back);
      x.forEach((v, i) => assert.ok(Object.is(v, y[i])));
    }
  }
});

test("every expression round-trips through a worker message unchanged", async () => {
  const { port1, port2 } = new MessageChannel();
  try {
    for (const e of samples) {
      const received = new Promise<unknown>((resolve) => port2.once("message", resolve));
      port1.postMessage(encode(e));
      same(e, decode(await received));
    }
  } finally {
    port1.close();
    port2.close();
  }
});

test("decode rejects unknown operations and malformed nodes", () => {
  assert.throws(() => decode({ op: "eval", code: "1" }), /unknown expression operation "eval"/);
  assert.throws(() => decode({ op: "literal", value: ["x"] }), /not a number/);
  assert.throws(() => decode({ op: "add", left: { op: "literal", value: [] } }), /not an object/);
  assert.throws(() => decode({ op: "h5snap", path: "", dataset: "data", index: [] }), /path/);
  assert.throws(() => decode({ op: "h5snap", path: "a", dataset: "data", index: [1.5] }), /neither an integer nor a slice/);
  let deep: unknown = { op: "literal", value: [1] };
  for (let i = 0; i < 100; i++) deep = { op: "scale", factor: 1, input: deep };
  assert.throws(() => decode(deep), /deeper than/);
});

// A 4x3 array holding 0..11 in C order: a[i, j] = 3 i + j.
const a43 = Float64Array.from({ length: 12 }, (_, k) => k);
const at = (items: Parameters<typeof index>) => Array.from(applyIndex(a43, [4, 3], index(...items)));

test("index follows NumPy: integers, negative integers, missing trailing axes", () => {
  assert.deepEqual(at([0]), [0, 1, 2]);
  assert.deepEqual(at([-1]), [9, 10, 11]);
  assert.deepEqual(at([-4]), [0, 1, 2]);
  assert.deepEqual(at([2, -1]), [8]);
  assert.deepEqual(at([]), Array.from(a43));
  assert.throws(() => at([4]), /out of bounds/);
  assert.throws(() => at([-5]), /out of bounds/);
  assert.throws(() => at([0, 0, 0]), /too many indices/);
  assert.throws(() => index(0.5), /not an integer/);
});

test("index follows NumPy: start:stop:step slices, clamping and negative steps", () => {
  assert.deepEqual(at([indexRange(1, 3)]), [3, 4, 5, 6, 7, 8]); // a[1:3]
  assert.deepEqual(at([indexRange(null, null, 2), 1]), [1, 7]); // a[::2, 1]
  assert.deepEqual(at([indexRange(null, null, -1), 0]), [9, 6, 3, 0]); // a[::-1, 0]
  assert.deepEqual(at([indexRange(-2, null), indexRange(1, null)]), [7, 8, 10, 11]); // a[-2:, 1:]
  assert.deepEqual(at([indexRange(-100, 100), 2]), [2, 5, 8, 11]); // a[-100:100, 2]
  assert.deepEqual(at([indexRange(3, 0, -2), 0]), [9, 3]); // a[3:0:-2, 0]
  assert.deepEqual(at([indexRange(2, 2)]), []); // a[2:2]
  assert.deepEqual(at([indexRange(1)]), [0, 1, 2]); // a[:1]
  assert.throws(() => at([indexRange(0, 4, 0)]), /step cannot be zero/);
});
