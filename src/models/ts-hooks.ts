/**
 * Module hooks (node:module register) that let `--problem ./my-problem.ts` load: TypeScript is
 * transpiled on the fly, types stripped, no type check (run `tsc` for that). Runs in Node's
 * hooks thread; `typescript` is imported only when a .ts module is actually loaded.
 */
import { readFile } from "node:fs/promises";

interface LoadContext {
  readonly format?: string | null | undefined;
}
interface LoadResult {
  readonly format: string;
  readonly source: string | ArrayBuffer | Uint8Array;
  readonly shortCircuit?: boolean;
}
type NextLoad = (url: string, context?: LoadContext) => Promise<LoadResult>;

interface ResolveContext {
  readonly parentURL?: string | undefined;
}
interface ResolveResult {
  readonly url: string;
  readonly format?: string | null;
  readonly shortCircuit?: boolean;
}
type NextResolve = (specifier: string, context?: ResolveContext) => Promise<ResolveResult>;

const TS = /\.(m?ts)$/;

/** TypeScript's own convention: `import "./util.js"` from a .ts file may mean ./util.ts. */
export async function resolve(specifier: string, context: ResolveContext, next: NextResolve): Promise<ResolveResult> {
  try {
    return await next(specifier, context);
  } catch (e) {
    if (context.parentURL && TS.test(context.parentURL) && /^\.\.?\/.*\.m?js$/.test(specifier)) {
      return next(specifier.replace(/js$/, "ts"), context);
    }
    throw e;
  }
}

export async function load(url: string, context: LoadContext, next: NextLoad): Promise<LoadResult> {
  if (!url.startsWith("file:") || !TS.test(url)) return next(url, context);
  let ts: typeof import("typescript");
  try {
    ts = (await import("typescript")).default;
  } catch {
    throw new Error(`loading ${url} needs the typescript package (npm install typescript), or give a .js/.mjs module`);
  }
  const source = await readFile(new URL(url), "utf8");
  const out = ts.transpileModule(source, {
    fileName: url,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: false, inlineSourceMap: true, verbatimModuleSyntax: false },
  });
  return { format: "module", source: out.outputText, shortCircuit: true };
}
