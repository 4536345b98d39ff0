/**
 * The HDF5 library's own encoding of what writeHdf5 writes, through h5wasm: how files were written
 * before hdf5-writer.ts, kept as the reference that tests compare our files with and that the
 * benchmark times ours against.
 */
import { loadHdf5, type DatasetSpec } from "./hdf5.js";

let scratch = 0;

/** Load h5wasm, then encode files with it (synchronously, in wasm memory). */
export async function h5wasmEncoder(): Promise<(datasets: readonly DatasetSpec[]) => Uint8Array> {
  const m = await loadHdf5();
  return (datasets) => {
    const name = `/h5wasm-writer-${process.pid}-${scratch++}.h5`;
    const file = new m.File(name, "w");
    try {
      for (const d of datasets) {
        const ds = file.create_dataset({ name: d.name, data: d.data, shape: [...d.shape], dtype: "<d" });
        for (const [key, attr] of Object.entries(d.attributes ?? {})) {
          // explicit dtypes: a bare JS number would be guessed as int32 or float64 by value
          if (attr.dtype === "float64") ds.create_attribute(key, attr.value, null, "<d");
          else ds.create_attribute(key, BigInt64Array.of(BigInt(attr.value)), [], "<q");
        }
      }
    } finally {
      file.close();
    }
    try {
      return m.FS!.readFile(name) as Uint8Array;
    } finally {
      m.FS!.unlink(name);
    }
  };
}
