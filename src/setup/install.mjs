// `npm install` runs this (postinstall): it sets up everything the server needs on this machine.
//   1. system tools ffmpeg, sox and espeak-ng (apt-get when running as root, else an exact instruction);
//   2. Python >= 3.10 and the sidecar's virtualenv sidecar/.venv with sidecar/requirements.txt (a C++
//      compiler and the Python headers too, which pyworld needs to build);
//   3. the Chatterbox stack (chatterbox-tts + torch) when an NVIDIA GPU is present, CHATTERBOX=1 is set
//      or --chatterbox is passed (`npm run setup:chatterbox`); CHATTERBOX=0 always skips it;
//   4. gRPC code generation for both processes and the TypeScript build;
//   5. data folders and a few synthetic sample voices in reference_audio/samples/.
// Plain JavaScript on purpose: it runs before the TypeScript build exists. Every step is idempotent.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "./build.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const venv = join(root, "sidecar", ".venv");
const venvPython = join(venv, "bin", "python");
const SYSTEM_TOOLS = ["ffmpeg", "sox", "espeak-ng"];
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

ensureSystemTools();
ensureVenv();
ensureChatterbox();
log("generating gRPC code and building TypeScript");
build();
makeDataFolders();
makeSampleVoices();
log("done. Start the server with `npm start`; run the tests with `npm test`.");
