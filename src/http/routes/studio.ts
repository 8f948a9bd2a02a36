/**
 * The studio web app at /ui: the files `npm run build` bundles into dist/studio. Only the files the build
 * wrote are served (listed when the app is made, so no request path ever reaches the disk unchecked); the
 * script and stylesheet carry content hashes in their names and are cached for good, index.html is revalidated
 * every time, so a new build is picked up on the next load.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import Router from "@koa/router";
import type { Context } from "koa";
import { NotFoundError, ServerMisconfiguredError } from "../../domain/errors.js";
import { sendFile } from "../present/send-file.js";

/**
 * The page may load and run its own files only. Audio it plays comes from blob: URLs (fetched with the API
 * key, which media elements cannot send) and its waveforms decode those; 'self' in connect-src also admits
 * the same-origin WebSocket of the realtime section.
 */
const STUDIO_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self' blob:",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");
const HASHED = /-[A-Z0-9]{8}\.(js|css)(\.map)?$/;

export function studioRoutes(root: string): Router {
  const files = new Set(existsSync(root) ? readdirSync(root) : []);
  // Strict, so /ui and /ui/ are different routes: the first redirects to the second.
  const router = new Router({ strict: true });
  const serve = async (ctx: Context, name: string) => {
    if (!files.has("index.html")) {
      throw new ServerMisconfiguredError("The studio is not built: run `npm run build` (npm install does it)");
    }
    if (!files.has(name)) throw new NotFoundError(`Not found: ${ctx.path}`);
    ctx.set("Content-Security-Policy", STUDIO_POLICY);
    ctx.set("Cache-Control", HASHED.test(name) ? "public, max-age=31536000, immutable" : "no-cache");
    await sendFile(ctx, join(root, name));
  };
  // The page names its files relatively, so it must be loaded from the folder URL.
  router.get("/ui", (ctx) => {
    ctx.status = 301;
    ctx.redirect("/ui/");
  });
  router.get("/ui/", (ctx) => serve(ctx, "index.html"));
  router.get("/ui/*path", (ctx) => serve(ctx, String(ctx.params.path)));
  return router;
}
