/** The three libraries (voices, VC inputs, outputs): the routes library-routes.ts registers for each, and their own. */
import type { LibraryKind } from "../../storage/library/library-entry.js";
import { libraryBulkSchema, libraryListSchema } from "../schemas/library-query.js";
import { json, ref } from "./content.js";
import type { RouteSpecs, Tag } from "./operation.js";

const anyAudio = { "audio/*": { schema: { type: "string", format: "binary" } } };
const confirm = {
  name: "confirm",
  in: "query",
  required: true,
  description: "Must be true: a delete is never done by accident.",
  schema: { type: "boolean" },
};

interface Library {
  kind: LibraryKind;
  tag: Tag;
  collection: string;
  single: string;
  /** Names in operation ids: Voice(s), VcInput(s), Output(s). */
  one: string;
  many: string;
}

const LIBRARIES: Library[] = [
  {
    kind: "voices",
    tag: "Voices",
    collection: "/api/v1/voices",
    single: "/api/v1/voice",
    one: "Voice",
    many: "Voices",
  },
  {
    kind: "vc_inputs",
    tag: "VC inputs",
    collection: "/api/v1/vc_inputs",
    single: "/api/v1/vc_input",
    one: "VcInput",
    many: "VcInputs",
  },
  {
    kind: "outputs",
    tag: "Outputs",
    collection: "/api/v1/outputs",
    single: "/api/v1/output",
    one: "Output",
    many: "Outputs",
  },
];

function libraryRoutes({ kind, tag, collection, single, one, many }: Library): RouteSpecs {
  const what = tag.toLowerCase();
  return {
    [`GET ${collection}`]: {
      operationId: `list${many}`,
      summary: `List ${what}`,
      tag,
      description: "Filtered, sorted and paged; an unknown query parameter is a 422.",
      query: libraryListSchema(kind),
      ok: { description: "A page of the library.", content: json("The page's items with count, page, total_pages...") },
      errors: [400, 422],
    },
    [`GET ${collection}/folders`]: {
      operationId: `list${one}Folders`,
      summary: `The folders of ${what}`,
      tag,
      ok: { description: "The folder tree with counts.", content: json() },
      errors: [],
    },
    [`GET ${collection}/*path/audio`]: {
      operationId: `get${one}Audio`,
      summary: `The audio file of one of the ${what}`,
      tag,
      description: "Range requests are answered with 206.",
      ok: { description: "The file.", content: anyAudio },
      errors: [400, 404],
    },
    [`GET ${collection}/*path`]: {
      operationId: `get${one}`,
      summary: `One of the ${what}`,
      tag,
      ok: { description: "Its metadata.", content: json() },
      errors: [400, 404],
    },
    [`DELETE ${single}/*path`]: {
      operationId: `delete${one}`,
      summary: `Delete one of the ${what}`,
      tag,
      parameters: [confirm],
      ok: { description: "What was deleted.", content: json() },
      errors: [400, 404],
    },
    [`DELETE ${collection}`]: {
      operationId: `delete${many}`,
      summary: `Delete ${what} matching criteria`,
      tag,
      description: "Needs confirm=true and criteria (or all=true); criteria combine with AND.",
      query: libraryBulkSchema(kind),
      ok: { description: "What was deleted.", content: json() },
      errors: [400, 422],
    },
  };
}

const uploadForm = (file: string, fields: Record<string, unknown>) => ({
  type: "object",
  properties: { [file]: { type: "string", format: "binary", contentMediaType: "application/octet-stream" }, ...fields },
  required: [file],
});

const ownRoutes: RouteSpecs = {
  "POST /api/v1/voice": {
    operationId: "uploadVoice",
    summary: "Upload a voice",
    tag: "Voices",
    body: {
      "multipart/form-data": { schema: ref("VoiceUploadForm"), example: { name: "Narrator", tags: "narration, calm" } },
    },
    ok: { description: "The voice saved.", content: json() },
    errors: [400, 409, 413, 415, 422],
  },
  "PUT /api/v1/voice/*path/metadata": {
    operationId: "updateVoiceMetadata",
    summary: "Edit a voice's metadata",
    tag: "Voices",
    body: {
      "application/json": {
        schema: ref("VoiceMetadataPatch"),
        example: { description: "Warm narrator", tags: ["narration"], default_parameters: { exaggeration: 0.6 } },
      },
    },
    ok: { description: "The voice as saved.", content: json() },
    errors: [400, 404, 409, 415, 422],
  },
  "POST /api/v1/vc_input": {
    operationId: "uploadVcInput",
    summary: "Upload a recording to convert",
    tag: "VC inputs",
    body: {
      "multipart/form-data": {
        schema: uploadForm("vc_input_file", {
          text: { type: "string", description: "What is said in it; transcribed when left out and transcribe is on." },
          folder_path: { type: "string", description: "Folder under vc_inputs/, created when missing." },
          project: { type: "string", description: "Another name for folder_path." },
          overwrite: { type: "boolean", default: false, description: "Replace a file of the same name." },
          transcribe: { type: "boolean", default: true, description: "Transcribe short recordings sent without text." },
        }),
        example: { text: "What is said in the recording.", folder_path: "interviews" },
      },
    },
    ok: { description: "The recording saved.", content: json() },
    errors: [400, 409, 413, 415, 422],
  },
  "GET /outputs/*path": {
    operationId: "getOutputFile",
    summary: "Download a generated file",
    tag: "Outputs",
    description: "The files the generating endpoints link to; Range requests are answered with 206.",
    ok: {
      description: "The file.",
      content: { ...anyAudio, "application/octet-stream": { schema: { type: "string", format: "binary" } } },
    },
    errors: [400, 404],
  },
  "GET /api/v1/outputs/*path/metadata": {
    operationId: "getOutputMetadata",
    summary: "The companion JSON of an output",
    tag: "Outputs",
    ok: { description: "How the file was made: its request, engine, seed and files.", content: json() },
    errors: [400, 404],
  },
};

export const libraryRouteSpecs: RouteSpecs = Object.assign({}, ...LIBRARIES.map(libraryRoutes), ownRoutes);
