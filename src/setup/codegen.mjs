// Generates the gRPC code of both processes from proto/ with the protoc bundled in the sidecar's
// grpcio-tools (the npm grpc-tools binary downloads from a host that is often unreachable).
// Plain JavaScript on purpose: it runs before the TypeScript build, which needs its output.
// Generated code is never committed or edited (see docs/architecture.md).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const venvPython = join(root, "sidecar", ".venv", "bin", "python");
const healthProtoDir = join(root, "node_modules", "grpc-health-check", "proto");
const ourProto = "proto/chatterbox/v1/speech.proto";

const TS_OPTIONS = [
  "outputServices=grpc-js",
  "env=node",
  "esModuleInterop=true",
  "importSuffix=.js",
  "oneof=unions",
].join(",");

function requireVenv() {
  if (!existsSync(venvPython)) {
    throw new Error(`${venvPython} is missing: run \`npm install\` first (it creates the sidecar virtualenv)`);
  }
}

function protoc(args) {
  requireVenv();
  execFileSync(venvPython, ["-m", "grpc_tools.protoc", ...args], { cwd: root, stdio: "inherit" });
}

/**
 * Where google/rpc/*.proto live: googleapis-common-protos (a dependency of grpcio-status in the sidecar's
 * requirements) ships them beside its Python modules.
 */
function googleapisProtoDir() {
  requireVenv();
  const script =
    "import google.rpc.status_pb2 as m, os; print(os.path.dirname(os.path.dirname(os.path.dirname(m.__file__))))";
  return execFileSync(venvPython, ["-c", script], { cwd: root, encoding: "utf8" }).trim();
}

/**
 * Regenerates src/sidecar/generated (TypeScript, ts-proto) from our proto, the standard health proto, and
 * google.rpc Status/ErrorInfo (the structured details of the sidecar's error statuses).
 */
export function generateTypeScript() {
  const out = join(root, "src", "sidecar", "generated");
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  protoc([
    `--plugin=protoc-gen-ts_proto=${join(root, "node_modules", ".bin", "protoc-gen-ts_proto")}`,
    `--ts_proto_out=${out}`,
    `--ts_proto_opt=${TS_OPTIONS}`,
    "-Iproto",
    `-I${healthProtoDir}`,
    `-I${googleapisProtoDir()}`,
    ourProto,
    "health/v1/health.proto",
    "google/rpc/status.proto",
    "google/rpc/error_details.proto",
  ]);
}

/**
 * Regenerates sidecar/chatterbox_sidecar/pb (Python). The proto is mapped under the package's own
 * namespace so the generated imports never collide with the official `chatterbox` package.
 */
export function generatePython() {
  rmSync(join(root, "sidecar", "chatterbox_sidecar", "pb"), { recursive: true, force: true });
  const out = join(root, "sidecar");
  protoc([
    "-Ichatterbox_sidecar/pb=proto",
    `--python_out=${out}`,
    `--grpc_python_out=${out}`,
    `--pyi_out=${out}`,
    ourProto,
  ]);
}
