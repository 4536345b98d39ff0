import { readFileSync } from "node:fs";

/** This package's version, from its package.json (the directory above dist/, wherever this code was bundled to). */
function readVersion(): string {
  for (let dir = new URL("./", import.meta.url); ; dir = new URL("../", dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL("package.json", dir), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "parareal" && typeof pkg.version === "string") return pkg.version;
    } catch {
      // not here: look further up
    }
    if (dir.pathname === "/") return "unknown";
  }
}

export const version = readVersion();
