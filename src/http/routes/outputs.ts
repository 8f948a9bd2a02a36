import Router from "@koa/router";
import type { OutputStore } from "../../storage/output-store.js";
import { mediaTypeFor } from "../../storage/media-types.js";

/** GET /outputs/<path>: serves generated files (and their .json companions) confined to outputs/. */
export function outputFileRoutes(outputs: OutputStore): Router {
  const router = new Router();
  router.get("/outputs/*path", async (ctx) => {
    const opened = await outputs.open(ctx.params.path ?? "");
    ctx.set("Content-Type", mediaTypeFor(opened.filename));
    ctx.set("Content-Length", String(opened.size));
    ctx.body = opened.stream;
  });
  return router;
}
