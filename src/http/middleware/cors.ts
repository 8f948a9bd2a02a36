/**
 * CORS for the browser origins config `server.cors_origins` lists (app.ts mounts it only when it lists any;
 * by default browsers keep the same-origin rule and no CORS header is sent). Written here rather than taken
 * from @koa/cors: the rule is an exact allow-list plus "*", a few lines, and an origin off the list gets no
 * CORS header at all, with nothing reflected back.
 *
 * Mounted before the API-key check: a preflight carries no credentials, and a 401 must carry the CORS headers
 * for the page to read it. Keys travel in `Authorization`, not cookies, so credentials are never allowed.
 */
import type { Middleware } from "koa";

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

export function cors(origins: readonly string[]): Middleware {
  const anyOrigin = origins.includes("*");
  const listed = new Set(origins);
  return async (ctx, next) => {
    // The answer depends on Origin even when it carries no CORS header, so caches must key on it.
    ctx.vary("Origin");
    const origin = ctx.get("Origin");
    if (origin === "" || !(anyOrigin || listed.has(origin))) return next();
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
