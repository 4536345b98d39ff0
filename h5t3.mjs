const t0=performance.now();
const m = await import("h5wasm");
const t1=performance.now();
await m.ready;
const t2=performance.now();
const f = new m.File(`x.h5`, "w");
const ds = f.create_dataset({name: "data", data: new Float64Array(200), shape: [100,2], dtype: "<d"}); f.close();
console.log("import", (t1-t0).toFixed(0), "ready", (t2-t1).toFixed(0), "first write", (performance.now()-t2).toFixed(1));
