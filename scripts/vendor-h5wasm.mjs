// Build step: copy h5wasm's ESM build into dist/vendor/h5wasm with its WebAssembly moved out of the
// JavaScript. h5wasm inlines its 3.4 MB wasm binary as a string literal in a 3.8 MB JS file, and
// parsing that literal costs every thread about 0.15 s; as a .wasm file beside the glue it costs
// nothing to parse. If this h5wasm no longer has the expected shape, nothing is written and
// src/archive/hdf5.ts falls back to the stock module.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist", "vendor", "h5wasm");
// the package's ESM entry is dist/esm/hdf5_hl.js, beside hdf5_util.js
const esm = dirname(fileURLToPath(import.meta.resolve("h5wasm")));

function fail(why) {
  rmSync(out, { recursive: true, force: true });
  console.warn(`vendor-h5wasm: ${why}; using h5wasm as shipped`);
  process.exit(0);
}

const util = readFileSync(join(esm, "hdf5_util.js"), "utf8");
const hl = readFileSync(join(esm, "hdf5_hl.js"), "utf8");
const marker = "function findWasmBinary(){return binaryDecode('";
const start = util.indexOf(marker);
if (start < 0 || util.indexOf(marker, start + 1) >= 0) fail("findWasmBinary not found once in hdf5_util.js");
const open = start + marker.length - 1; // the opening quote
let end = open + 1;
while (end < util.length && util[end] !== "'") end += util[end] === "\\" ? 2 : 1;
if (util.slice(end, end + 2) !== "')") fail("binary literal not terminated as expected");
// evaluate the literal exactly as the engine would, then decode it as emscripten's binaryDecode does
const text = new Function(`return ${util.slice(open, end + 1)};`)();
const bytes = new Uint8Array(text.length);
for (let i = 0; i < text.length; i++) {
  const c = text.charCodeAt(i);
  bytes[i] = ~c >> 8 & c;
}
if (!WebAssembly.validate(bytes)) fail("extracted bytes are not valid WebAssembly");
if (!/^import ModuleFactory from '\.\/hdf5_util\.js';/m.test(hl)) fail("hdf5_hl.js imports something unexpected");

mkdirSync(out, { recursive: true });
writeFileSync(join(out, "hdf5_util.wasm"), bytes);
writeFileSync(
  join(out, "hdf5_util.js"),
  'import { readFileSync as __readWasm } from "node:fs";\n' +
    util.slice(0, start) +
    'function findWasmBinary(){return new Uint8Array(__readWasm(new URL("./hdf5_util.wasm", import.meta.url)))' +
    util.slice(end + 2),
);
writeFileSync(join(out, "hdf5_hl.js"), hl);
