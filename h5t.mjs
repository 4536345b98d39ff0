const m = await import("h5wasm/node");
await m.ready;
const N=+process.argv[2];
let t3=performance.now(); let a=0,b=0,c=0;
for (let i=0;i<N;i++){ const q0=performance.now(); const f = new m.File(`/tmp/x${i}.h5`, "w"); const q1=performance.now();
const ds = f.create_dataset({name: "data", data: new Float64Array(200), shape: [100,2], dtype: "<d"});
ds.create_attribute("t0", 0.5, null, "<d"); ds.create_attribute("t1", 0.5, null, "<d"); ds.create_attribute("h", 0.5, null, "<d");
ds.create_attribute("n", 100n, null, "<q"); const q2=performance.now(); f.close(); const q3=performance.now(); a+=q1-q0;b+=q2-q1;c+=q3-q2 }
console.log("open",a/N,"ds",b/N,"close",c/N);
