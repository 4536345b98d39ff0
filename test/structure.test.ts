/** The layering of src/: no import cycle between folders (static imports, re-exports, dynamic imports). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { repoRoot } from "./helpers.js";

const src = join(repoRoot, "src");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.ts$/.test(name) && !name.endsWith(".d.ts") ? [path] : [];
  });
}

/** The folder a source file belongs to (its first level under src/; a file at the top is its own). */
function folderOf(file: string): string {
  const rel = relative(src, file);
  const first = rel.split("/")[0] as string;
  return rel.includes("/") ? first : rel;
}

/** Every module a file imports, statically or dynamically, resolved to a source path under src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s+"([^"]+)"|import\(\s*"([^"]+)"\s*\)|(?:^|\n)\s*import\s+"([^"]+)"/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? "");
  return specs.filter((s) => s.startsWith(".")).map((s) => resolve(dirname(file), s.replace(/\.js$/, ".ts")));
}

/** Folder graph: an edge a -> b when a file of a imports a file of b. */
function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sources(src)) {
    const from = folderOf(file);
    if (from === "index.ts") continue; // the package's barrel re-exports everything, by design
    const edges = graph.get(from) ?? new Set<string>();
    for (const target of importsOf(file)) {
      const to = folderOf(target);
      if (to !== from) edges.add(to);
    }
    graph.set(from, edges);
  }
  return graph;
}

/** One cycle of the graph, as a path a -> ... -> a, or undefined. */
function findCycle(graph: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === "done") return undefined;
    if (state.get(node) === "open") return [...path.slice(path.indexOf(node)), node];
    state.set(node, "open");
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(node, "done");
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

test("the cycle finder finds a planted cycle", () => {
  const graph = new Map([
    ["a", new Set(["b"])],
    ["b", new Set(["c"])],
    ["c", new Set(["a"])],
  ]);
  assert.deepEqual(findCycle(graph), ["a", "b", "c", "a"]);
  assert.equal(findCycle(new Map([["a", new Set(["b"])], ["b", new Set<string>()]])), undefined);
});

test("no import cycle between the folders of src/", () => {
  const graph = folderGraph();
  assert.ok(graph.size >= 10, `folders seen: ${[...graph.keys()].join(", ")}`);
  const cycle = findCycle(graph);
  assert.equal(cycle, undefined, `import cycle between folders: ${cycle?.join(" -> ")}`);
});
