#!/usr/bin/env node
/** The `parareal` command: the build's bundle of it when there is one (it starts faster), else its modules. */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const bundle = new URL("../bundle/main.js", import.meta.url);
await import(existsSync(fileURLToPath(bundle)) ? bundle.href : new URL("./main.js", import.meta.url).href);
