#!/usr/bin/env node
// A black-box solver for `parareal run --fine-cmd/--coarse-cmd`: the damped harmonic oscillator by
// forward Euler, as the original's fine solver (n = ceil((t1 - t0) / h) steps on
// linspace(t0, t1, n + 1)). Any program can take its place: read the state from dataset `data` of
// the HDF5 file IN, integrate from T0 to T1, write the trajectory (rows of states, the last one at
// T1) or just the final state to dataset `data` of OUT, exit 0; on failure exit non-zero with a
// message on stderr.
//
//   parareal run --fine-cmd 'node examples/blackbox/oscillator.mjs {in} {out} {t0} {t1} {h}'
//
// usage: oscillator.mjs IN OUT T0 T1 H [OMEGA0 ZETA]
import h5wasm from "h5wasm/node";

const args = process.argv.slice(2);
if (args.length !== 5 && args.length !== 7) {
  process.stderr.write("usage: oscillator.mjs IN OUT T0 T1 H [OMEGA0 ZETA]\n");
  process.exit(2);
}
const [input, output] = args;
const [t0, t1, h] = args.slice(2, 5).map(Number);
const [omega0, zeta] = args.length === 7 ? args.slice(5).map(Number) : [1, 0.5];

await h5wasm.ready;
const file = new h5wasm.File(input, "r");
const y = Float64Array.from(file.get("data").value);
file.close();
if (y.length !== 2) {
  process.stderr.write(`oscillator.mjs: expected a state of 2 values (q, p), got ${y.length}\n`);
  process.exit(1);
}

// NumPy's linspace: t_i = t0 + i * step, the last point exactly t1
const n = Math.ceil((t1 - t0) / h);
const step = (t1 - t0) / n;
const at = (i) => (i === n ? t1 : t0 + i * step);
const x = new Float64Array((n + 1) * 2);
x.set(y);
for (let i = 1; i <= n; i++) {
  const [q, p] = [x[2 * i - 2], x[2 * i - 1]];
  const dt = at(i) - at(i - 1);
  x[2 * i] = q + dt * p;
  x[2 * i + 1] = p + dt * (-2 * zeta * omega0 * p - omega0 * omega0 * q);
}

const out = new h5wasm.File(output, "w");
out.create_dataset({ name: "data", data: x, shape: [n + 1, 2], dtype: "<d" }); // float64 ("<f8" would be float32 here)
out.close();
