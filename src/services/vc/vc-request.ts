import type { VcDefaults } from "../../domain/vc-fields.js";
import type { UploadedFile } from "../library/audio-upload.js";

/** A validated VC request, as the VC service receives it. */
export interface VcRequest {
  /** The speech to convert: a name in vc_inputs/ or an http(s) URL, as sent; or the file uploaded with it. */
  input: string | UploadedFile;
  /** The voice to convert to: a name in reference_audio/ or an http(s) URL, as sent. */
  target: string;
  /** Folder below outputs/; undefined or "" is the root. */
  project: string | undefined;
  /** Every defaulted field under its API name, resolved. */
  options: VcDefaults;
  /** API names of the fields the client sent. */
  explicitFields: ReadonlySet<string>;
  /** Fields that are not part of the request: never used, always reported. */
  unknownFields: readonly string[];
}
