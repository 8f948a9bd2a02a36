/** A test client of the app: TTS requests in JSON mode and reads of the files a request published. */
import { expect } from "chai";
import { decodeAudio } from "./audio-file.js";

export type Json = Record<string, any>;

/**
 * POST /api/v1/tts in JSON mode (WAV unless the body says otherwise), and reads of what a request published. `baseUrl`
 * is asked on each call, so the client can be made before the app starts.
 */
export function apiClient(baseUrl: () => string) {
  async function tts(body: object): Promise<Json> {
    const response = await fetch(`${baseUrl()}/api/v1/tts?response_mode=json`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ export_formats: ["wav"], ...body }),
    });
    expect(response.status, await response.clone().text()).to.equal(200);
    return (await response.json()) as Json;
  }
  const bytesOf = async (url: string) => Buffer.from(await (await fetch(`${baseUrl()}${url}`)).arrayBuffer());
  const audioOf = async (json: Json, index = 0) => decodeAudio(await bytesOf(json.output_files[index].url));
  /** The companion's `generation_info`. */
  const infoOf = async (json: Json): Promise<Json> =>
    ((await (await fetch(`${baseUrl()}${json.output_files[0].url}.json`)).json()) as Json).generation_info;
  const speak = async (body: object) => audioOf(await tts(body));
  return { tts, bytesOf, audioOf, infoOf, speak };
}
