/**
 * The state of a case at one time: the internal values of the named fields, one after another in
 * one Float64Array (field by field, value by value, component by component, as in the files), with
 * a layout that is plain JSON so it can travel with jobs and sit in run.json.
 */
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { classValueType, fieldFilePath, internalValues, isGzip, parseFieldFile, readFieldFile, replaceInternalField, decompress, VALUE_TYPES, type ValueType } from "./foam-file.js";
import { internalCount, type MeshSize } from "./mesh-size.js";

export interface FieldLayout {
  readonly name: string;
  /** OpenFOAM class, e.g. volVectorField, surfaceScalarField */
  readonly class: string;
  readonly type: ValueType;
  readonly components: number;
  /** values (cells or faces) */
  readonly count: number;
  /** first index of this field in the state */
  readonly offset: number;
}

export interface StateLayout {
  readonly fields: readonly FieldLayout[];
  /** length of the state */
  readonly size: number;
}

/** The layout of `names` as found in one time directory (the classes come from the files). */
export function layoutOf(timeDir: string, names: readonly string[], mesh: MeshSize): StateLayout {
  const fields: FieldLayout[] = [];
  let offset = 0;
  for (const name of names) {
    const path = fieldFilePath(timeDir, name);
    if (!path) throw new Error(`field \`${name}\` is not in ${timeDir}`);
    const { header } = readFieldFile(path);
    const type = classValueType(header.class);
    if (!type) throw new Error(`${path}: class \`${header.class}\` is not a field parareal can carry`);
    const components = VALUE_TYPES[type];
    const count = internalCount(header.class, mesh);
    fields.push({ name, class: header.class, type, components, count, offset });
    offset += count * components;
  }
  return { fields, size: offset };
}

/** The field's part of a state (a view, no copy). */
export function fieldView(layout: StateLayout, state: Float64Array, name: string): Float64Array {
  const f = layout.fields.find((x) => x.name === name);
  if (!f) throw new Error(`the state has no field \`${name}\` (it has ${layout.fields.map((x) => x.name).join(", ")})`);
  return state.subarray(f.offset, f.offset + f.count * f.components);
}

/** Read the state at one time directory; `into` (of layout.size) avoids allocating. */
export function readState(timeDir: string, layout: StateLayout, into = new Float64Array(layout.size)): Float64Array {
  if (into.length !== layout.size) throw new RangeError(`state buffer of ${into.length} for a layout of ${layout.size}`);
  for (const f of layout.fields) {
    const path = fieldFilePath(timeDir, f.name);
    if (!path) throw new Error(`field \`${f.name}\` is not in ${timeDir}`);
    const file = readFieldFile(path);
    if (file.header.class !== f.class) throw new Error(`${path}: class ${file.header.class}, expected ${f.class}`);
    into.set(internalValues(file, f.count, path), f.offset);
  }
  return into;
}

/**
 * The bytes of every field file of a state written over skeleton files (which give the header,
 * the format and the boundaryField): name (`U` or `U.gz`, as the skeleton) -> file content.
 */
export function stateFiles(skeletonDir: string, layout: StateLayout, state: Float64Array): Map<string, Buffer> {
  if (state.length !== layout.size) throw new RangeError(`state of ${state.length} values for a layout of ${layout.size}`);
  const files = new Map<string, Buffer>();
  for (const f of layout.fields) {
    const path = fieldFilePath(skeletonDir, f.name);
    if (!path) throw new Error(`field \`${f.name}\` is not in ${skeletonDir}`);
    const raw = readFileSync(path);
    const skeleton = parseFieldFile(decompress(raw), path);
    if (skeleton.header.class !== f.class) throw new Error(`${path}: class ${skeleton.header.class}, expected ${f.class}`);
    const bytes = replaceInternalField(skeleton, state.subarray(f.offset, f.offset + f.count * f.components));
    files.set(path.slice(skeletonDir.length + 1), isGzip(raw) ? gzipSync(bytes) : bytes);
  }
  return files;
}

/** One field's values over the rows of a trajectory, for an HDF5 dataset per field. */
export interface FieldTable {
  readonly name: string;
  readonly class: string;
  /** rows × count × components, row-major (a copy) */
  readonly data: Float64Array;
  /** [rows, count] for scalars, [rows, count, components] otherwise */
  readonly shape: number[];
}

/** Split rows of states (rows × layout.size) into one table per field. */
export function fieldTables(layout: StateLayout, states: Float64Array, rows: number): FieldTable[] {
  if (states.length < rows * layout.size) throw new RangeError(`${states.length} values are fewer than ${rows} rows of ${layout.size}`);
  return layout.fields.map((f) => {
    const width = f.count * f.components;
    const data = new Float64Array(rows * width);
    for (let r = 0; r < rows; r++) data.set(states.subarray(r * layout.size + f.offset, r * layout.size + f.offset + width), r * width);
    return { name: f.name, class: f.class, data, shape: f.components === 1 ? [rows, f.count] : [rows, f.count, f.components] };
  });
}
