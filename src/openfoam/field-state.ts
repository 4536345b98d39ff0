/**
 * The state of a case at one time: the internal values of the named fields and, by default, the
 * values their files record on boundary patches, one segment after another in one Float64Array
 * (value by value, component by component, as in the files). The layout is plain JSON, so it can
 * travel with jobs and sit in run.json.
 *
 * Why patches: a solver restarts from what its files say, and some patch values are data, not
 * settings: the flux phi on an outlet, wall-function values of k, epsilon, nut. Left at their
 * start-time values, a restart of pitzDaily (pimpleFoam) drifts by 3e-3 of max |U| in 40 steps;
 * carried in the state, it continues bit for bit, as OpenFOAM's own restart does.
 */
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import {
  classValueType,
  decompress,
  expandValue,
  fieldFilePath,
  isGzip,
  parseFieldFile,
  readFieldFile,
  replaceValues,
  VALUE_TYPES,
  type FieldFile,
  type ValueType,
} from "./foam-file.js";
import { internalCount, type MeshSize } from "./mesh-size.js";

/** One segment of the state: a field's internal values, or its values on one patch. */
export interface FieldLayout {
  readonly name: string;
  /** absent for the internal field; the patch name for boundary values */
  readonly patch?: string;
  /** OpenFOAM class, e.g. volVectorField, surfaceScalarField */
  readonly class: string;
  readonly type: ValueType;
  readonly components: number;
  /** values (cells, faces, patch faces) */
  readonly count: number;
  /** first index of this segment in the state */
  readonly offset: number;
}

export interface StateLayout {
  /** segments in state order: each field's internal values, then its patches */
  readonly fields: readonly FieldLayout[];
  /** length of the state */
  readonly size: number;
}

export interface LayoutOptions {
  /** carry patch values (default true); false: internal values only, patches kept from the skeletons */
  readonly patches?: boolean;
  /** faces per patch (for patches whose value is uniform in the file) */
  readonly patchSizes?: ReadonlyMap<string, number>;
}

/** The layout of `names` as found in one time directory (classes and patches from the files). */
export function layoutOf(timeDir: string, names: readonly string[], mesh: MeshSize, options: LayoutOptions = {}): StateLayout {
  const fields: FieldLayout[] = [];
  let offset = 0;
  const add = (f: Omit<FieldLayout, "offset">) => {
    fields.push({ ...f, offset });
    offset += f.count * f.components;
  };
  for (const name of names) {
    const path = fieldFilePath(timeDir, name);
    if (!path) throw new Error(`field \`${name}\` is not in ${timeDir}`);
    const file = readFieldFile(path);
    const type = classValueType(file.header.class);
    if (!type) throw new Error(`${path}: class \`${file.header.class}\` is not a field parareal can carry`);
    const components = VALUE_TYPES[type];
    add({ name, class: file.header.class, type, components, count: internalCount(file.header.class, mesh) });
    if (options.patches === false) continue;
    for (const [patch, span] of file.patches) {
      const count = span.value.uniform ? options.patchSizes?.get(patch) : span.value.count;
      if (count === undefined) throw new Error(`${path}: no face count for patch ${patch} (give patchSizes)`);
      if (count > 0) add({ name, patch, class: file.header.class, type, components, count });
    }
  }
  return { fields, size: offset };
}

/** A segment's part of a state (a view, no copy): a field's internal values, or one patch's. */
export function fieldView(layout: StateLayout, state: Float64Array, name: string, patch?: string): Float64Array {
  const f = layout.fields.find((x) => x.name === name && x.patch === patch);
  if (!f) throw new Error(`the state has no ${patch === undefined ? "field" : `patch ${patch} of field`} \`${name}\` (it has ${fieldNames(layout).join(", ")})`);
  return state.subarray(f.offset, f.offset + f.count * f.components);
}

/** The fields of a layout, each once, in order. */
export function fieldNames(layout: StateLayout): string[] {
  return [...new Set(layout.fields.map((f) => f.name))];
}

/** The segments of `to` taken from a state of layout `from` (same field, same patch). */
export function projectState(from: StateLayout, state: Float64Array, to: StateLayout): Float64Array {
  const out = new Float64Array(to.size);
  for (const f of to.fields) {
    const src = from.fields.find((g) => g.name === f.name && g.patch === f.patch);
    if (!src || src.count !== f.count || src.components !== f.components) throw new Error(`no matching ${f.patch === undefined ? "" : `patch ${f.patch} of `}field ${f.name} to project from`);
    out.set(state.subarray(src.offset, src.offset + src.count * src.components), f.offset);
  }
  return out;
}

/** Segments grouped by field, in order. */
function byField(layout: StateLayout): Map<string, FieldLayout[]> {
  const groups = new Map<string, FieldLayout[]>();
  for (const f of layout.fields) {
    const g = groups.get(f.name);
    if (g) g.push(f);
    else groups.set(f.name, [f]);
  }
  return groups;
}

function checkClass(file: FieldFile, f: FieldLayout, path: string): void {
  if (file.header.class !== f.class) throw new Error(`${path}: class ${file.header.class}, expected ${f.class}`);
}

/** Read the state at one time directory; `into` (of layout.size) avoids allocating. */
export function readState(timeDir: string, layout: StateLayout, into = new Float64Array(layout.size)): Float64Array {
  if (into.length !== layout.size) throw new RangeError(`state buffer of ${into.length} for a layout of ${layout.size}`);
  for (const [name, segments] of byField(layout)) {
    const path = fieldFilePath(timeDir, name);
    if (!path) throw new Error(`field \`${name}\` is not in ${timeDir}`);
    const file = readFieldFile(path);
    for (const f of segments) {
      checkClass(file, f, path);
      if (f.patch === undefined) into.set(expandValue(file.internal, f.count, `${path}: internalField`), f.offset);
      else {
        const span = file.patches.get(f.patch);
        if (!span) throw new Error(`${path}: patch ${f.patch} has no value entry`);
        into.set(expandValue(span.value, f.count, `${path}: patch ${f.patch}`), f.offset);
      }
    }
  }
  return into;
}

/**
 * The bytes of every field file of a state written over skeleton files (which give the header,
 * the format and everything the state does not hold): name (`U` or `U.gz`, as the skeleton) ->
 * file content.
 */
export function stateFiles(skeletonDir: string, layout: StateLayout, state: Float64Array): Map<string, Buffer> {
  if (state.length !== layout.size) throw new RangeError(`state of ${state.length} values for a layout of ${layout.size}`);
  const files = new Map<string, Buffer>();
  for (const [name, segments] of byField(layout)) {
    const path = fieldFilePath(skeletonDir, name);
    if (!path) throw new Error(`field \`${name}\` is not in ${skeletonDir}`);
    const raw = readFileSync(path);
    const skeleton = parseFieldFile(decompress(raw), path);
    let internal: Float64Array | undefined;
    const patches = new Map<string, Float64Array>();
    for (const f of segments) {
      checkClass(skeleton, f, path);
      const values = state.subarray(f.offset, f.offset + f.count * f.components);
      if (f.patch === undefined) internal = values;
      else patches.set(f.patch, values);
    }
    const bytes = replaceValues(skeleton, { ...(internal ? { internal } : {}), patches });
    files.set(path.slice(skeletonDir.length + 1), isGzip(raw) ? gzipSync(bytes) : bytes);
  }
  return files;
}

/** One segment's values over the rows of a trajectory, for an HDF5 dataset per field (and patch). */
export interface FieldTable {
  readonly name: string;
  readonly patch?: string;
  readonly class: string;
  /** rows × count × components, row-major (a copy) */
  readonly data: Float64Array;
  /** [rows, count] for scalars, [rows, count, components] otherwise */
  readonly shape: number[];
}

/** Split rows of states (rows × layout.size) into one table per segment. */
export function fieldTables(layout: StateLayout, states: Float64Array, rows: number): FieldTable[] {
  if (states.length < rows * layout.size) throw new RangeError(`${states.length} values are fewer than ${rows} rows of ${layout.size}`);
  return layout.fields.map((f) => {
    const width = f.count * f.components;
    const data = new Float64Array(rows * width);
    for (let r = 0; r < rows; r++) data.set(states.subarray(r * layout.size + f.offset, r * layout.size + f.offset + width), r * width);
    return {
      name: f.name,
      ...(f.patch === undefined ? {} : { patch: f.patch }),
      class: f.class,
      data,
      shape: f.components === 1 ? [rows, f.count] : [rows, f.count, f.components],
    };
  });
}
