/**
 * The cells of a 2-D case (one layer of cells, as the cavity and pitzDaily) as polygons in their
 * plane: each cell's face on the front side of the layer, its points projected onto the two axes
 * along which the mesh extends. Read from constant/polyMesh (points, faces, owner; ASCII or binary,
 * gzipped or not), so that a field can be drawn on its mesh without OpenFOAM.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { decompress } from "./foam-file.js";
import { skipSpace, tokenAt, topLevelEntries, valueWords } from "./foam-syntax.js";
import { meshSize } from "./mesh-size.js";

export interface MeshPlane {
  /** the two axes drawn (0 x, 1 y, 2 z) and the one across the layer */
  readonly axes: readonly [number, number];
  readonly depthAxis: number;
  /** per cell: its polygon's points, flat [a0, b0, a1, b1, ...] */
  readonly polygons: readonly Float64Array[];
  /** [min, max] of the drawn axes over the mesh */
  readonly extent: readonly [[number, number], [number, number]];
}

interface Header {
  readonly format: string;
  readonly cls: string;
  readonly littleEndian: boolean;
  readonly labelBytes: 4 | 8;
  readonly scalarBytes: 4 | 8;
  /** position after the header */
  readonly end: number;
}

interface MeshFile {
  readonly path: string;
  readonly bytes: Buffer;
  readonly text: string;
  readonly header: Header;
}

function meshFile(caseDir: string, name: string): MeshFile {
  let path = join(caseDir, "constant", "polyMesh", name);
  if (!existsSync(path) && existsSync(`${path}.gz`)) path = `${path}.gz`;
  if (!existsSync(path)) throw new Error(`${caseDir} has no mesh file constant/polyMesh/${name}`);
  const bytes = decompress(readFileSync(path));
  const text = bytes.toString("latin1");
  const entries = topLevelEntries(text, 0, (k) => k !== "FoamFile");
  const foamFile = entries.find((e) => e.keyword === "FoamFile");
  if (!foamFile) throw new Error(`${path}: no FoamFile header`);
  const inner = text.slice(0, foamFile.valueEnd - 1);
  const fields = new Map<string, string>();
  for (const e of topLevelEntries(inner, text.indexOf("{", foamFile.keyEnd) + 1)) fields.set(e.keyword, valueWords(inner, e).join(" "));
  const arch = fields.get("arch") ?? "LSB;label=32;scalar=64";
  return {
    path,
    bytes,
    text,
    header: {
      format: fields.get("format") ?? "ascii",
      cls: fields.get("class") ?? "",
      littleEndian: !arch.startsWith("MSB"),
      labelBytes: /label=64/.test(arch) ? 8 : 4,
      scalarBytes: /scalar=32/.test(arch) ? 4 : 8,
      end: foamFile.end,
    },
  };
}

/** Reads the lists of one mesh file in order, binary or ASCII. */
class ListReader {
  private pos: number;
  constructor(private readonly f: MeshFile) {
    this.pos = f.header.end;
  }

  private fail(message: string): never {
    throw new Error(`${this.f.path}: ${message} (byte ${this.pos})`);
  }

  private size(): number {
    const t = tokenAt(this.f.text, this.pos);
    const n = Number(t?.text);
    if (!t || !Number.isSafeInteger(n) || n < 0) this.fail("expected a list's size");
    this.pos = t.end;
    return n;
  }

  private expect(c: string): void {
    this.pos = skipSpace(this.f.text, this.pos);
    if (this.f.text[this.pos] !== c) this.fail(`expected '${c}'`);
    this.pos++;
  }

  private word(): number {
    const t = tokenAt(this.f.text, this.pos);
    const v = Number(t?.text);
    if (!t || t.kind !== "word" || !Number.isFinite(v)) this.fail("expected a number");
    this.pos = t.end;
    return v;
  }

  /** Binary: `N (raw)`; each element `width` numbers of `bytes` (label or scalar). */
  private binary(n: number, width: number, bytes: number, integer: boolean): Float64Array {
    const out = new Float64Array(n * width);
    this.pos = skipSpace(this.f.text, this.pos);
    if (n === 0 && this.f.text[this.pos] !== "(") return out;
    this.expect("(");
    const le = this.f.header.littleEndian;
    if (this.pos + out.length * bytes > this.f.bytes.length) this.fail("binary list runs past the end of the file");
    const view = new DataView(this.f.bytes.buffer, this.f.bytes.byteOffset + this.pos, out.length * bytes);
    for (let i = 0; i < out.length; i++) {
      out[i] = integer ? (bytes === 8 ? Number(view.getBigInt64(i * 8, le)) : view.getInt32(i * 4, le)) : bytes === 8 ? view.getFloat64(i * 8, le) : view.getFloat32(i * 4, le);
    }
    this.pos += out.length * bytes;
    this.expect(")");
    return out;
  }

  /** A list of labels (integer = true) or of vectors (width 3). */
  list(width: number, integer: boolean): Float64Array {
    const n = this.size();
    const { header } = this.f;
    if (header.format === "binary") return this.binary(n, width, integer ? header.labelBytes : header.scalarBytes, integer);
    const out = new Float64Array(n * width);
    this.expect("(");
    for (let i = 0; i < n; i++) {
      if (width > 1) this.expect("(");
      for (let c = 0; c < width; c++) out[i * width + c] = this.word();
      if (width > 1) this.expect(")");
    }
    this.expect(")");
    return out;
  }

  /** faces: a faceCompactList (offsets, then labels) or an ASCII faceList (`k(a b ...)` each). */
  faces(): { offsets: Float64Array; labels: Float64Array } {
    if (this.f.header.cls === "faceCompactList") return { offsets: this.list(1, true), labels: this.list(1, true) };
    const n = this.size();
    this.expect("(");
    const offsets = new Float64Array(n + 1);
    const labels: number[] = [];
    for (let i = 0; i < n; i++) {
      const k = this.size();
      this.expect("(");
      for (let j = 0; j < k; j++) labels.push(this.word());
      this.expect(")");
      offsets[i + 1] = labels.length;
    }
    this.expect(")");
    return { offsets, labels: Float64Array.from(labels) };
  }
}

/**
 * The plane of a 2-D case: every cell must have a face on the front side of the layer (the
 * boundary faces whose points all lie at the smallest coordinate across the layer). A 3-D mesh is
 * refused with one line.
 */
export function meshPlane(caseDir: string): MeshPlane {
  const points = new ListReader(meshFile(caseDir, "points")).list(3, false);
  const { offsets, labels } = new ListReader(meshFile(caseDir, "faces")).faces();
  const owner = new ListReader(meshFile(caseDir, "owner")).list(1, true);
  const { nCells, nInternalFaces } = meshSize(caseDir);
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < points.length; i++) {
    lo[i % 3] = Math.min(lo[i % 3]!, points[i]!);
    hi[i % 3] = Math.max(hi[i % 3]!, points[i]!);
  }
  const size = [0, 1, 2].map((a) => hi[a]! - lo[a]!);
  const depthAxis = size.indexOf(Math.min(...size));
  const axes = [0, 1, 2].filter((a) => a !== depthAxis) as [number, number];
  const tolerance = 1e-9 * Math.max(...size);
  const front = lo[depthAxis]!;
  const polygons: Float64Array[] = new Array<Float64Array>(nCells);
  for (let f = nInternalFaces; f + 1 < offsets.length; f++) {
    const [start, end] = [offsets[f]!, offsets[f + 1]!];
    let onFront = end > start;
    for (let j = start; j < end && onFront; j++) onFront = Math.abs(points[labels[j]! * 3 + depthAxis]! - front) <= tolerance;
    if (!onFront) continue;
    const polygon = new Float64Array(2 * (end - start));
    for (let j = start; j < end; j++) {
      polygon[2 * (j - start)] = points[labels[j]! * 3 + axes[0]]!;
      polygon[2 * (j - start) + 1] = points[labels[j]! * 3 + axes[1]]!;
    }
    polygons[owner[f]!] = polygon;
  }
  for (let c = 0; c < nCells; c++) {
    if (!polygons[c]) throw new Error(`${caseDir}: cell ${c} has no face on the front of the mesh; fields are drawn for 2-D cases (one layer of cells) only`);
  }
  return { axes, depthAxis, polygons, extent: [[lo[axes[0]]!, hi[axes[0]]!], [lo[axes[1]]!, hi[axes[1]]!]] };
}
