// `npm run build` (and `npm install`): regenerates the gRPC code of both processes and compiles the
// TypeScript (server, tests and the studio web app) into a fresh dist/, so files deleted from src/ or test/
// never linger as stale JavaScript.
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generatePython, generateTypeScript } from "./codegen.mjs";
import { buildStudio } from "./studio-build.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export function build() {
  generatePython();
  generateTypeScript();
  rmSync(join(root, "dist"), { recursive: true, force: true });
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: root, stdio: "inherit" });
  buildStudio(root);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) build();
