/**
 * The sizes of a case's mesh, which give the number of values of a uniform field: cells for vol
 * fields, internal faces for surface fields, points for point fields. OpenFOAM records them in
 * the note of constant/polyMesh/owner; without it they are counted from owner and neighbour.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { decompress } from "./foam-file.js";
import { matching, skipSpace, tokenAt, topLevelEntries, valueWords } from "./foam-syntax.js";

export interface MeshSize {
  readonly nPoints: number;
  readonly nCells: number;
  readonly nFaces: number;
  readonly nInternalFaces: number;
}

function meshFile(caseDir: string, name: string): string | undefined {
  const path = join(caseDir, "constant", "polyMesh", name);
  if (existsSync(path)) return path;
  return existsSync(`${path}.gz`) ? `${path}.gz` : undefined;
}

/** Header entries and the position after the header of a polyMesh file. */
function headerOf(text: string): { entries: Map<string, string>; end: number } {
  const all = topLevelEntries(text, 0, (k) => k !== "FoamFile");
  const foamFile = all.find((e) => e.keyword === "FoamFile");
  const entries = new Map<string, string>();
  if (!foamFile) return { entries, end: 0 };
  const inner = text.slice(0, foamFile.valueEnd - 1);
  for (const e of topLevelEntries(inner, text.indexOf("{", foamFile.keyEnd) + 1)) entries.set(e.keyword, valueWords(inner, e).join(" "));
  return { entries, end: foamFile.end };
}

/** A labelList file's labels (ASCII or binary, label=32 or 64). */
function readLabels(path: string): Int32Array | Float64Array {
  const bytes = decompress(readFileSync(path));
  const text = bytes.toString("latin1");
  const { entries, end } = headerOf(text);
  const size = tokenAt(text, end);
  const n = Number(size?.text);
  if (!size || !Number.isInteger(n)) throw new Error(`${path}: expected the list's size`);
  let pos = skipSpace(text, size.end);
  if (entries.get("format") === "binary") {
    const arch = entries.get("arch") ?? "";
    const wide = /label=64/.test(arch);
    const le = !arch.startsWith("MSB");
    const out = new Float64Array(n);
    if (n === 0) return out;
    const view = new DataView(bytes.buffer, bytes.byteOffset + pos + 1, n * (wide ? 8 : 4));
    for (let i = 0; i < n; i++) out[i] = wide ? Number(view.getBigInt64(i * 8, le)) : view.getInt32(i * 4, le);
    return out;
  }
  const out = new Int32Array(n);
  if (text[pos] === "{") {
    const v = Number(tokenAt(text, pos + 1)?.text);
    return out.fill(v);
  }
  pos++; // '('
  for (let i = 0; i < n; i++) {
    const t = tokenAt(text, pos);
    if (!t) throw new Error(`${path}: list ends after ${i} of ${n} labels`);
    out[i] = Number(t.text);
    pos = t.end;
  }
  return out;
}

const cache = new Map<string, MeshSize>();

/** The mesh size of a case (from constant/polyMesh), memoized per directory. */
export function meshSize(caseDir: string): MeshSize {
  const known = cache.get(caseDir);
  if (known) return known;
  const owner = meshFile(caseDir, "owner");
  if (!owner) throw new Error(`${caseDir} has no mesh (constant/polyMesh/owner): run blockMesh (or the case's mesher) first`);
  const { entries } = headerOf(decompress(readFileSync(owner)).toString("latin1"));
  const note = entries.get("note") ?? "";
  const read = (key: string) => {
    const m = new RegExp(`${key}:\\s*(\\d+)`).exec(note);
    return m ? Number(m[1]) : undefined;
  };
  let size: MeshSize;
  const [nPoints, nCells, nFaces, nInternalFaces] = [read("nPoints"), read("nCells"), read("nFaces"), read("nInternalFaces")];
  if (nPoints !== undefined && nCells !== undefined && nFaces !== undefined && nInternalFaces !== undefined) {
    size = { nPoints, nCells, nFaces, nInternalFaces };
  } else {
    const ownerLabels = readLabels(owner);
    const neighbourPath = meshFile(caseDir, "neighbour");
    const neighbour = neighbourPath ? readLabels(neighbourPath) : new Int32Array(0);
    let maxCell = -1;
    for (const c of ownerLabels) maxCell = Math.max(maxCell, c);
    for (const c of neighbour) maxCell = Math.max(maxCell, c);
    const pointsPath = meshFile(caseDir, "points");
    const pointsText = pointsPath ? decompress(readFileSync(pointsPath)).toString("latin1") : "";
    const points = pointsPath ? Number(tokenAt(pointsText, headerOf(pointsText).end)?.text) : Number.NaN;
    size = { nPoints: points, nCells: maxCell + 1, nFaces: ownerLabels.length, nInternalFaces: neighbour.length };
  }
  cache.set(caseDir, size);
  return size;
}

/** Values in the internal field of a field of this class on this mesh. */
export function internalCount(cls: string, mesh: MeshSize): number {
  if (cls.startsWith("vol")) return mesh.nCells;
  if (cls.startsWith("surface")) return mesh.nInternalFaces;
  if (cls.startsWith("point")) return mesh.nPoints;
  throw new Error(`no internal field size for class ${cls}`);
}

const patchCache = new Map<string, Map<string, number>>();

/** Faces of every patch, from constant/polyMesh/boundary (memoized per directory). */
export function patchSizes(caseDir: string): ReadonlyMap<string, number> {
  const known = patchCache.get(caseDir);
  if (known) return known;
  const path = meshFile(caseDir, "boundary");
  if (!path) throw new Error(`${caseDir} has no constant/polyMesh/boundary`);
  const text = decompress(readFileSync(path)).toString("latin1");
  const { end } = headerOf(text);
  const sizes = new Map<string, number>();
  // N ( name { type ...; nFaces n; startFace s; } ... )
  const size = tokenAt(text, end);
  let pos = size ? skipSpace(text, size.end) : text.length;
  if (text[pos] !== "(") throw new Error(`${path}: expected a list of patches`);
  pos++;
  for (;;) {
    const name = tokenAt(text, pos);
    if (!name || name.text === ")") break;
    const open = tokenAt(text, name.end);
    if (open?.text !== "{") throw new Error(`${path}: patch ${name.text} has no dictionary`);
    const close = matching(text, open.start, name.text);
    const inner = text.slice(0, close - 1);
    const nFaces = topLevelEntries(inner, open.end).find((e) => e.keyword === "nFaces");
    sizes.set(name.text, nFaces ? Number(valueWords(inner, nFaces)[0]) : 0);
    pos = close;
  }
  patchCache.set(caseDir, sizes);
  return sizes;
}
