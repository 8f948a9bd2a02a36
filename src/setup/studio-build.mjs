// Builds the studio web app (src/studio) into dist/studio: tsc type-checks it (esbuild only strips types), esbuild
// bundles the TypeScript, Preact and the chart and waveform libraries into one script and one stylesheet with
// content hashes in their names, and index.html is written to name them. The server can then cache those two
// files for good and index.html not at all, and nothing is fetched from a CDN at run time.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

export function buildStudio(root, out = join(root, "dist", "studio"), { typecheck = true } = {}) {
  const source = join(root, "src", "studio");
  if (typecheck) {
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
    execFileSync(process.execPath, [tsc, "-p", join(source, "tsconfig.json")], { cwd: root, stdio: "inherit" });
  }
  mkdirSync(out, { recursive: true });
  const result = esbuild.buildSync({
    entryPoints: { studio: join(source, "main.tsx") },
    bundle: true,
    minify: true,
    sourcemap: true,
    format: "esm",
    target: "es2022",
    jsx: "automatic",
    jsxImportSource: "preact",
    entryNames: "[name]-[hash]",
    outdir: out,
    metafile: true,
    logLevel: "warning",
  });
  const emitted = Object.keys(result.metafile.outputs).map((file) => basename(file));
  const script = emitted.find((file) => file.endsWith(".js"));
  const style = emitted.find((file) => file.endsWith(".css"));
  const page = readFileSync(join(source, "index.html"), "utf8")
    .replace("{{script}}", script)
    .replace("{{style}}", style);
  writeFileSync(join(out, "index.html"), page);
}

// `node src/setup/studio-build.mjs <dist folder> [--no-typecheck]`: the studio alone, into <dist folder>/studio,
// where a server compiled into that folder looks for it.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
  const dist = resolve(process.argv[2] ?? join(root, "dist"));
  buildStudio(root, join(dist, "studio"), { typecheck: !process.argv.includes("--no-typecheck") });
}
