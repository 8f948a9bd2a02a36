/**
 * CORS for the browser origins config `server.cors_origins` lists (app.ts mounts it only when it lists any;
 * by default browsers keep the same-origin rule and no CORS header is sent). Written here rather than taken
 * from @koa/cors: the rule is an exact allow-list plus "*", a few lines, and an origin off the list gets no
 * CORS header at all, with nothing reflected back.
 *
 * Mounted before the API-key check: a preflight carries no credentials, and a 401 must carry the CORS headers
 * for the page to read it. Keys travel in `Authorization`, not cookies, so credentials are never allowed.
 *
 * CORS only stops a foreign page from reading answers: a browser still sends a form post (no preflight) or
 * opens a WebSocket (no CORS at all) for any page. With keys off, that would let any web site a user visits
 * speak, upload or delete through this server; refuseForeignWrites and the realtime endpoint refuse those
 * requests with the same origin rule.
 */
import type { Middleware } from "koa";
import { PermissionDeniedError } from "../../domain/errors.js";

const ALLOWED_METHODS = "GET, HEAD, POST, PUT, DELETE";
/**
 * X-Request-ID lets a page name its request in our logs, traceparent join it to the page's trace; Range lets a
 * player seek in an output file.
 */
const ALLOWED_HEADERS = "Authorization, Content-Type, X-Request-ID, traceparent, Range";
/** What pages read beyond the CORS-safelisted headers: the facts our responses put in headers. */
const EXPOSED_HEADERS = [
  "X-Request-ID",
  "traceparent",
  "X-Warnings",
  "X-Engine",
  "X-Generation-Seed",
  "X-Alternative-Formats",
  "X-Processing-Time",
  "X-Verification",
  "X-Voice-Defaults-Applied",
  "X-Transcription-Model",
  "X-Instructions-Preset",
  "Retry-After",
  "Content-Disposition",
  "Content-Range",
  "WWW-Authenticate",
].join(", ");
/** How long a browser may reuse a preflight's answer. */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/** Methods that change something: a browser sends them cross-site as form posts, with no preflight to refuse. */
const UNSAFE_METHODS: ReadonlySet<string> = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** The allow-list rule of `server.cors_origins`: an origin exactly as listed, or any origin with "*". */
function corsAllows(origins: readonly string[]): (origin: string) => boolean {
  const listed = new Set(origins);
  return listed.has("*") ? () => true : (origin) => listed.has(origin);
}

/**
 * Whether a request's `Origin` may act on this server: no Origin at all (not sent by a web page: curl, SDKs,
 * servers), one naming the host the request was sent to (the server's own pages, the studio), or an origin
 * `server.cors_origins` allows. The scheme is not compared: behind a TLS proxy the server cannot see it.
 */
export function originGate(
  origins: readonly string[],
): (origin: string | undefined, host: string | undefined) => boolean {
  const allowed = corsAllows(origins);
  return (origin, host) =>
    !origin || allowed(origin) || (!!host && URL.canParse(origin) && new URL(origin).host === host.toLowerCase());
}

/** The 403 of a request from a web page that originGate refuses. */
export function foreignOriginError(origin: string): PermissionDeniedError {
  return new PermissionDeniedError(
    `Refused a request from the web page of origin ${origin}: it is neither this server's own origin nor listed in server.cors_origins`,
  );
}

/** Refuses (403) a request that changes something when a web page of an origin originGate refuses sent it. */
export function refuseForeignWrites(origins: readonly string[]): Middleware {
  const trusted = originGate(origins);
  return async (ctx, next) => {
    const origin = ctx.get("Origin");
    if (UNSAFE_METHODS.has(ctx.method) && !trusted(origin, ctx.get("Host"))) throw foreignOriginError(origin);
    await next();
  };
}

export function cors(origins: readonly string[]): Middleware {
  const allowed = corsAllows(origins);
  const anyOrigin = origins.includes("*");
  return async (ctx, next) => {
    // The answer depends on Origin even when it carries no CORS header, so caches must key on it.
    ctx.vary("Origin");
    const origin = ctx.get("Origin");
    if (origin === "" || !allowed(origin)) return next();
    ctx.set("Access-Control-Allow-Origin", anyOrigin ? "*" : origin);
    if (ctx.method === "OPTIONS" && ctx.get("Access-Control-Request-Method") !== "") {
      ctx.set({
        "Access-Control-Allow-Methods": ALLOWED_METHODS,
        "Access-Control-Allow-Headers": ALLOWED_HEADERS,
        "Access-Control-Max-Age": String(PREFLIGHT_MAX_AGE_SECONDS),
      });
      ctx.status = 204;
      return;
    }
    ctx.set("Access-Control-Expose-Headers", EXPOSED_HEADERS);
    await next();
  };
}
