/**
 * Generated files: the static route `/outputs/<path>` (with Range) and the outputs library (spec §3.14–
 * §3.16): listing with each file's parameters, folders, one file's metadata, single and bulk delete.
 */
import Router from "@koa/router";
import type { LibraryCatalog } from "../../services/library/library-catalog.js";
import type { OutputStore } from "../../storage/output-store.js";
import { outputView } from "../present/library-views.js";
import { sendFile } from "../present/send-file.js";
import { pathParam, registerLibraryRoutes } from "./library-routes.js";

/** GET /outputs/<path>: serves generated files (and their .json companions) confined to outputs/. */
export function outputFileRoutes(outputs: OutputStore): Router {
  const router = new Router();
  router.get("/outputs/*path", async (ctx) => {
    await sendFile(ctx, await outputs.resolveFile(pathParam(ctx.params)));
  });
  return router;
}

export function outputLibraryRoutes(catalog: LibraryCatalog): Router {
  const router = new Router();
  router.get("/api/v1/outputs/*path/metadata", async (ctx) => {
    const entry = await catalog.find(pathParam(ctx.params));
    ctx.body = { ...outputView(entry), metadata: entry.companion };
  });
  registerLibraryRoutes(router, catalog, {
    collection: "/api/v1/outputs",
    single: "/api/v1/output",
    what: "output file",
  });
  return router;
}
