import fs from "node:fs";
const t0=performance.now();
const m = await import("h5wasm");
await m.ready;
const t1=performance.now();
console.log("esm load", t1-t0, typeof m.FS, m.FS && Object.keys(m.FS).slice(0,5));
const N=+process.argv[2];
const times=[];
for (let i=0;i<N;i++){ const q0=performance.now(); const f = new m.File(`x.h5`, "w");
const ds = f.create_dataset({name: "data", data: new Float64Array(200), shape: [100,2], dtype: "<d"});
ds.create_attribute("t0", 0.5, null, "<d"); ds.create_attribute("t1", 0.5, null, "<d"); ds.create_attribute("h", 0.5, null, "<d");
ds.create_attribute("n", 100n, null, "<q"); f.close(); const bytes = m.FS.readFile("x.h5"); m.FS.unlink("x.h5"); fs.writeFileSync(`/tmp/y${i}.h5.tmp`, bytes); fs.renameSync(`/tmp/y${i}.h5.tmp`, `/tmp/y${i}.h5`); times.push(performance.now()-q0)}
const avg=(a)=>a.reduce((s,x)=>s+x,0)/a.length;
console.log("first10", avg(times.slice(0,10)), "last", avg(times.slice(-50)));
