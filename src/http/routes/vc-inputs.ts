/** The VC input library (spec §3.9–§3.13): upload, listing, folders, one file, its audio, deletes. */
import Router from "@koa/router";
import type { VcInputLibrary } from "../../services/library/vc-input-library.js";
import { formField, multipart, uploadedFile } from "../middleware/multipart.js";
import { requestSignal } from "../middleware/request-context.js";
import { vcInputView } from "../present/library-views.js";
import { setWarningsHeader } from "../present/warnings-header.js";
import { formBoolean, uploadFolder } from "../schemas/library-forms.js";
import { registerLibraryRoutes } from "./library-routes.js";

export interface VcInputRoutesOptions {
  vcInputs: VcInputLibrary;
  tempRoot: string;
  maxUploadBytes: number;
}

export function vcInputRoutes({ vcInputs, tempRoot, maxUploadBytes }: VcInputRoutesOptions): Router {
  const router = new Router();
  const upload = multipart({ tempRoot, fileField: "vc_input_file", maxFileBytes: maxUploadBytes });
  router.post("/api/v1/vc_input", upload, async (ctx) => {
    const { entry, warnings } = await vcInputs.upload({
      file: uploadedFile(ctx, "vc_input_file"),
      text: formField(ctx, "text"),
      folder: uploadFolder(formField(ctx, "folder_path"), formField(ctx, "project")),
      overwrite: formBoolean(formField(ctx, "overwrite"), "overwrite"),
      transcribe: formBoolean(formField(ctx, "transcribe") ?? "true", "transcribe"),
      signal: requestSignal(ctx),
    });
    setWarningsHeader(ctx, warnings);
    ctx.body = {
      success: true,
      message: `VC input '${entry.filename}' uploaded successfully`,
      metadata: vcInputView(entry),
      filename: entry.filename,
      warnings,
    };
  });
  registerLibraryRoutes(router, vcInputs.catalog, {
    collection: "/api/v1/vc_inputs",
    single: "/api/v1/vc_input",
    what: "VC input file",
  });
  return router;
}
