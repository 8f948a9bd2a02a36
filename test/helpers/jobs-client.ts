/** A test client of the jobs API of one app, optionally with an API key; and a reader of event streams. */
import { expect } from "chai";
import type { TestApp } from "./test-app.js";

type Json = Record<string, any>;

const FINAL_STATES = ["succeeded", "failed", "cancelled"];

export function jobsClient(app: () => TestApp, secret?: string) {
  const headers = (extra: Record<string, string> = {}) => ({
    ...(secret ? { Authorization: `Bearer ${secret}` } : {}),
    ...extra,
  });
  const request = (method: string, path: string, body?: unknown, extra: Record<string, string> = {}) =>
    fetch(`${app().baseUrl}${path}`, {
      method,
      headers: headers(body === undefined ? extra : { "Content-Type": "application/json", ...extra }),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const submit = (body: object) => request("POST", "/api/v1/jobs", body);
  const get = (path: string, extra?: Record<string, string>) => request("GET", path, undefined, extra);

  /** Submits a job and returns its view (asserting 202). */
  async function submitted(body: object): Promise<Json> {
    const response = await submit(body);
    expect(response.status, await response.clone().text()).to.equal(202);
    return (await response.json()) as Json;
  }

  /** Polls the job every 20 ms until `done(job)`, failing after a deadline. */
  async function pollUntil(id: string, done: (job: Json) => boolean, what: string): Promise<Json> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const response = await get(`/api/v1/jobs/${id}`);
      expect(response.status).to.equal(200);
      const job = (await response.json()) as Json;
      if (done(job)) return job;
      if (Date.now() > deadline) throw new Error(`job ${id} never became ${what}; it is ${JSON.stringify(job)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  const finished = (id: string) => pollUntil(id, (job) => FINAL_STATES.includes(job.state), "finished");
  const inState = (id: string, state: string) => pollUntil(id, (job) => job.state === state, state);

  /** Submits a job and waits for it to succeed. */
  async function completed(body: object): Promise<Json> {
    const job = await submitted(body);
    const done = await finished(job.id);
    expect(done.state, JSON.stringify(done.error)).to.equal("succeeded");
    return done;
  }
  return { request, submit, get, submitted, pollUntil, finished, inState, completed };
}

/** The events of a finished Server-Sent Events body. */
export function parseEvents(text: string): Array<{ id: number; event: string; data: Json }> {
  return text
    .split("\n\n")
    .filter((block) => block.includes("data:"))
    .map((block) => {
      const field = (name: string) =>
        block
          .split("\n")
          .find((line) => line.startsWith(`${name}: `))
          ?.slice(name.length + 2);
      return { id: Number(field("id")), event: field("event")!, data: JSON.parse(field("data")!) as Json };
    });
}
