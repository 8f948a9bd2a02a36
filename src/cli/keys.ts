/**
 * `npm run keys -- create --name <name> --scopes <scope,scope>` | `list` | `revoke <id or prefix>`: API keys in
 * the server's database (config `paths.data`; $CONFIG names another config file). Works while the server runs:
 * the database is shared (SQLite WAL), and a revoked key stops working at once.
 */
import { parseArgs } from "node:util";
import { readConfigOrExit } from "../config/read-config.js";
import { DomainError } from "../domain/errors.js";
import { ApiKeyStore, type ApiKey } from "../services/auth/api-key-store.js";
import { isScope, SCOPES } from "../services/auth/scopes.js";
import { openDatabase } from "../storage/db/database.js";

const USAGE = `usage: npm run keys -- create --name <name> --scopes <${SCOPES.join("|")},...>
           [--rpm <requests a minute>] [--concurrent <requests at once>] [--daily-chars <TTS characters a day>]
       npm run keys -- list
       npm run keys -- revoke <id or prefix>`;

function describe(key: ApiKey): string {
  const state = key.revokedAt ? `revoked ${key.revokedAt}` : `last used ${key.lastUsedAt ?? "never"}`;
  const { requestsPerMinute: rpm, maxConcurrent, dailyChars } = key.limits;
  const limits = [
    rpm && `${rpm}/min`,
    maxConcurrent && `${maxConcurrent} at once`,
    dailyChars && `${dailyChars} chars/day`,
  ];
  const shown = limits.filter(Boolean).join(", ") || "no limits";
  return `${key.id}  ${key.prefix}…  ${key.name}  [${key.scopes.join(", ")}]  ${shown}  created ${key.createdAt}, ${state}`;
}

function create(store: ApiKeyStore, args: string[]): string {
  const { values } = parseArgs({
    args,
    options: {
      name: { type: "string" },
      scopes: { type: "string" },
      rpm: { type: "string" },
      concurrent: { type: "string" },
      "daily-chars": { type: "string" },
    },
  });
  const scopes = (values.scopes ?? "")
    .split(",")
    .map((scope) => scope.trim())
    .filter(Boolean);
  const unknown = scopes.filter((scope) => !isScope(scope));
  if (!values.name?.trim() || scopes.length === 0 || unknown.length > 0) {
    const why = unknown.length > 0 ? `unknown scope(s): ${unknown.join(", ")}` : "--name and --scopes are required";
    throw new UsageError(why);
  }
  const limits = {
    requestsPerMinute: positive(values.rpm, "--rpm"),
    maxConcurrent: positive(values.concurrent, "--concurrent"),
    dailyChars: positive(values["daily-chars"], "--daily-chars"),
  };
  const { key, secret } = store.create({ name: values.name.trim(), scopes: scopes.filter(isScope), limits }, "cli");
  return `${describe(key)}\nsecret (shown once, store it now): ${secret}`;
}

class UsageError extends Error {}

/** A limit flag: absent = no limit; otherwise a positive whole number. */
function positive(value: string | undefined, flag: string): number | null {
  if (value === undefined) return null;
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new UsageError(`${flag} must be a positive whole number`);
  return number;
}

function run(store: ApiKeyStore, [command, ...args]: string[]): string {
  if (command === "create") return create(store, args);
  if (command === "list") return store.list().map(describe).join("\n") || "no API keys";
  if (command === "revoke" && args.length === 1) return `revoked: ${describe(store.revoke(args[0]!, "cli"))}`;
  throw new UsageError(command ? `unknown command or arguments: ${[command, ...args].join(" ")}` : "no command");
}

const db = openDatabase(readConfigOrExit().paths.data);
try {
  process.stdout.write(`${run(new ApiKeyStore(db), process.argv.slice(2))}\n`);
} catch (error) {
  if (!(error instanceof UsageError || error instanceof DomainError || error instanceof TypeError)) throw error;
  console.error(`${error.message}\n${USAGE}`);
  process.exitCode = 2;
} finally {
  db.close();
}
