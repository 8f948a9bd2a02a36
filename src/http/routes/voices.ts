/**
 * The voice library (spec §3.4–§3.9): listing, folders, one voice, its audio, upload, metadata edit, single
 * and bulk delete.
 */
import Router from "@koa/router";
import type { LibraryCatalog } from "../../services/library/library-catalog.js";
import type { VoiceLibrary } from "../../services/library/voice-library.js";
import { formField, multipart, uploadedFile } from "../middleware/multipart.js";
import { jsonBodyRequired } from "../middleware/json-body.js";
import { voiceView } from "../present/library-views.js";
import { setWarningsHeader } from "../present/warnings-header.js";
import {
  defaultParametersField,
  formBoolean,
  parseVoiceMetadataPatch,
  tagList,
  uploadFolder,
} from "../schemas/library-forms.js";
import { pathParam, registerLibraryRoutes } from "./library-routes.js";

export interface VoiceRoutesOptions {
  voices: VoiceLibrary;
  tempRoot: string;
  maxUploadBytes: number;
}

export function voiceRoutes({ voices, tempRoot, maxUploadBytes }: VoiceRoutesOptions): Router {
  const router = new Router();
  const upload = multipart({ tempRoot, fileField: "voice_file", maxFileBytes: maxUploadBytes });
  router.post("/api/v1/voice", upload, async (ctx) => {
    const { entry, warnings } = await voices.upload({
      file: uploadedFile(ctx, "voice_file"),
      name: formField(ctx, "name"),
      description: formField(ctx, "description"),
      tags: tagList(formField(ctx, "tags")),
      folder: uploadFolder(formField(ctx, "folder_path"), formField(ctx, "project")),
      defaultParameters: defaultParametersField(formField(ctx, "default_parameters")),
      overwrite: formBoolean(formField(ctx, "overwrite"), "overwrite"),
    });
    setWarningsHeader(ctx, warnings);
    ctx.body = savedVoice(entry, `Voice '${entry.name}' uploaded successfully`, warnings);
  });
  router.put("/api/v1/voice/*path/metadata", jsonBodyRequired, async (ctx) => {
    const entry = await voices.updateMetadata(pathParam(ctx.params), parseVoiceMetadataPatch(ctx.request.body));
    ctx.body = savedVoice(entry, `Voice '${entry.name}' updated successfully`, []);
  });
  registerLibraryRoutes(router, voices.catalog as LibraryCatalog, {
    collection: "/api/v1/voices",
    single: "/api/v1/voice",
    what: "voice file",
  });
  return router;
}

function savedVoice(entry: Parameters<typeof voiceView>[0], message: string, warnings: string[]) {
  return { success: true, message, voice_metadata: voiceView(entry), filename: entry.filename, warnings };
}
