import type { RunReport } from "../src/parareal/driver.js";
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { cliPath, runCli, startRedis, tempDir } from "./helpers.js";

// Open MPI refuses root unless told; CI runs as root.
const env = { ...process.env, OMPI_ALLOW_RUN_AS_ROOT: "1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM: "1", OMPI_MCA_rmaps_base_oversubscribe: "1" };

function mpirun(ranks: number, args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile("mpirun", ["-n", String(ranks), process.execPath, cliPath, ...args], { env, timeout: 120_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === "number" ? err.code : null) : 0, stdout, stderr }),
    );
  });
}

/** Read the private server's address from the scheduler file while the launch runs (it is removed at the end). */
async function watchSchedulerFile(path: string, done: () => boolean): Promise<URL | undefined> {
  while (!done()) {
    try {
      return new URL((JSON.parse(readFileSync(path, "utf8")) as { url: string }).url);
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  return undefined;
}

/** Whether anything still listens on the port (the private server, if it was left running). */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

test("mpirun -n 3 run --mpi: rank 0 drives a private Redis, ranks 1-2 work; same history; nothing left running", async (t) => {
  const dir = tempDir(t);
  let finished = false;
  const launch = mpirun(3, ["run", "--mpi", "--json", "--output", join(dir, "mpi")]).finally(() => (finished = true));
  const [m, threads, server] = await Promise.all([launch, runCli(["run", "--json", "--output", join(dir, "threads")]), watchSchedulerFile(join(dir, "mpi", "scheduler.json"), () => finished)]);
  assert.equal(m.code, 0, m.stderr);
  assert.equal(m.stdout.trim().split("\n").length, 1, "only rank 0 writes to stdout");
  const out = JSON.parse(m.stdout) as RunReport;
  const ref = JSON.parse(threads.stdout) as RunReport;
  assert.equal(out.iterations, 14);
  assert.deepEqual(out.maxdif, ref.maxdif);
  assert.deepEqual(out.final, ref.final);
  assert.equal(out.workers, 2, "both worker ranks ran jobs");
  assert.ok(!existsSync(join(dir, "mpi", "scheduler.json")), "the scheduler file is removed");
  assert.ok(server, "rank 0 wrote the scheduler file");
  assert.equal(server.hostname, "127.0.0.1");
  assert.equal(await listening(Number(server.port)), false, `the private redis-server on port ${server.port} is stopped`);
});

test("mpirun -n 3 run --mpi --redis URL: the ranks use that server and leave nothing in it", async (t) => {
  const dir = tempDir(t);
  const redis = await startRedis(t);
  const m = await mpirun(3, ["run", "--mpi", "--json", "--redis", redis.url, "--output", dir]);
  assert.equal(m.code, 0, m.stderr);
  const out = JSON.parse(m.stdout) as RunReport;
  assert.equal(out.iterations, 14);
  assert.equal(out.maxdif[0]!.toFixed(6), "1.338596");
  assert.equal(out.workers, 2);
  assert.equal(redis.dbsize(), 0, `keys left: ${redis.keys().join(" ")}`);
});

test("--mpi outside a launcher is bad input", async (t) => {
  const dir = tempDir(t);
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(OMPI_|PMIX_|PMI_|SLURM_)/.test(k)));
  const r = await new Promise<{ code: number | null; stderr: string }>((resolve) =>
    execFile(process.execPath, [cliPath, "run", "--mpi", "--output", dir], { env: clean }, (err, _o, stderr) =>
      resolve({ code: err ? (typeof err.code === "number" ? err.code : null) : 0, stderr }),
    ),
  );
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^parareal: --mpi: no MPI rank in the environment \(start with mpirun -n P or srun\)\n$/);
});
