import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runCli, tempDir } from "./helpers.js";

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngSize(path: string): { width: number; height: number } {
  const b = readFileSync(path);
  assert.ok(b.subarray(0, 8).equals(PNG), `${path} is a PNG`);
  assert.equal(b.toString("latin1", 12, 16), "IHDR");
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

function svgSize(path: string): { width: number; height: number; text: string } {
  const text = readFileSync(path, "utf8");
  const m = /^<svg[^>]*\swidth="(\d+(?:\.\d+)?)"[^>]*\sheight="(\d+(?:\.\d+)?)"/.exec(text);
  assert.ok(m, `${path} starts with an <svg> element with a size`);
  assert.ok(text.trimEnd().endsWith("</svg>"));
  return { width: Number(m[1]), height: Number(m[2]), text };
}

test("plot: PNG and SVG of every kind, at least 1000 px wide, titled and labelled", async (t) => {
  const dir = tempDir(t);
  assert.equal((await runCli(["run", "--executor", "inline", "--output", dir])).code, 0);
  const all = join(dir, "run.png");
  const r = await runCli(["plot", dir, "-o", all]);
  assert.equal(r.code, 0, r.stderr);
  const size = pngSize(all);
  assert.ok(size.width >= 1000 && size.height > 800, JSON.stringify(size));
  for (const kind of ["trajectory", "convergence", "phase"]) {
    const svg = join(dir, `${kind}.svg`);
    const k = await runCli(["plot", dir, "--kind", kind, "-o", svg]);
    assert.equal(k.code, 0, k.stderr);
    const s = svgSize(svg);
    assert.ok(s.width >= 1000, `${kind}: width ${s.width}`);
    assert.match(s.text, /parareal run \S+: harmonic omega0=1 zeta=0\.5, converged after 14 iterations/);
    const labels = { trajectory: ["time t (s)", "position q (m)", "serial fine reference", "exact"], convergence: ["iteration k", "tolerance 0.0001"], phase: ["position q (m)", "momentum p (m/s)"] }[kind]!;
    for (const label of labels) assert.ok(s.text.includes(label), `${kind}: "${label}"`);
    const png = join(dir, `${kind}.png`);
    assert.equal((await runCli(["plot", dir, "--kind", kind, "-o", png])).code, 0);
    assert.ok(pngSize(png).width >= 1000);
  }
  const bad = await runCli(["plot", dir, "-o", join(dir, "x.gif")]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^parareal: -o `\S+x\.gif`: give a file ending in \.png or \.svg\n$/);
  const missing = await runCli(["plot", join(dir, "nope"), "-o", join(dir, "x.png")]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^parareal: no such directory: /);
});

test("study -o: iterations against damping as a picture", async (t) => {
  const dir = tempDir(t);
  const png = join(dir, "study.png");
  const r = await runCli(["study", "--zeta", "0.3,0.9", "--executor", "inline", "--output", dir, "-o", png]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(pngSize(png).width >= 1000);
  const svg = join(dir, "study.svg");
  assert.equal((await runCli(["study", "--zeta", "0.3,0.9", "--executor", "inline", "--output", dir, "-o", svg])).code, 0);
  const s = svgSize(svg);
  assert.ok(s.text.includes("damping ratio zeta") && s.text.includes("iterations to converge"));
});
