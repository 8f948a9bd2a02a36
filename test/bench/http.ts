/** Requests to the app under benchmark; anything but 200 stops the benchmark, since its times would lie. */
import type { TestApp } from "../helpers/test-app.js";

/** POSTs a JSON body to `path` (with its query) and returns the 200 response, its body still unread. */
export async function postJson(app: TestApp, path: string, body: object): Promise<Response> {
  const response = await fetch(`${app.baseUrl}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (response.status !== 200) throw new Error(`POST ${path} failed: ${response.status} ${await response.text()}`);
  return response;
}

/** The response body read to its end, as a client downloading the audio would. */
export async function postForAudio(app: TestApp, path: string, body: object): Promise<ArrayBuffer> {
  return (await postJson(app, path, body)).arrayBuffer();
}
