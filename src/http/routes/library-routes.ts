/**
 * The routes every library has, registered the same way for voices, VC inputs and outputs: listing, folder
 * view, one item, its audio (with Range), single delete and bulk delete. `{path}` may contain `/`.
 */
import type Router from "@koa/router";
import type { LibraryCatalog } from "../../services/library/library-catalog.js";
import { auditActor } from "../auth/audit-actor.js";
import { parseBulkDeleteQuery, parseListQuery, requireConfirmation } from "../schemas/library-query.js";
import { deletionView, foldersView, ITEM_VIEWS, listingView } from "../present/library-views.js";
import { sendFile } from "../present/send-file.js";

export interface LibraryPaths {
  /** e.g. `/api/v1/voices`: the listing, `/folders`, `/{path}` and `/{path}/audio` hang below it. */
  collection: string;
  /** e.g. `/api/v1/voice`: where `DELETE /{path}` lives (singular in the original API). */
  single: string;
  /** Names the files in delete messages, e.g. "voice file". */
  what: string;
}

/** The wildcard parameter as one `/`-joined string. */
export function pathParam(params: Record<string, unknown>): string {
  const value = params.path;
  return Array.isArray(value) ? value.join("/") : String(value ?? "");
}

export function registerLibraryRoutes(router: Router, catalog: LibraryCatalog, paths: LibraryPaths): void {
  const view = ITEM_VIEWS[catalog.kind];
  router.get(paths.collection, (ctx) => {
    const query = parseListQuery(catalog.kind, ctx.query);
    ctx.body = listingView(catalog.kind, catalog.list(query), query);
  });
  router.get(`${paths.collection}/folders`, (ctx) => {
    ctx.body = foldersView(catalog.folders());
  });
  router.get(`${paths.collection}/*path/audio`, async (ctx) => {
    const entry = await catalog.find(pathParam(ctx.params));
    await sendFile(ctx, catalog.store.absolutePath(entry));
  });
  router.get(`${paths.collection}/*path`, async (ctx) => {
    ctx.body = view(await catalog.find(pathParam(ctx.params)));
  });
  router.delete(`${paths.single}/*path`, async (ctx) => {
    requireConfirmation(ctx.query);
    ctx.body = deletionView(await catalog.deleteOne(pathParam(ctx.params)), paths.what);
  });
  router.delete(paths.collection, async (ctx) => {
    const query = parseBulkDeleteQuery(catalog.kind, ctx.query);
    ctx.body = deletionView(await catalog.deleteMany(query, auditActor(ctx)), paths.what);
  });
}
