// Build step: the dashboard page's HTML and CSS go beside its compiled scripts in dist.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const from = join(root, "src", "dashboard", "page");
const to = join(root, "dist", "src", "dashboard", "page");
mkdirSync(to, { recursive: true });
for (const name of ["index.html", "style.css"]) copyFileSync(join(from, name), join(to, name));
