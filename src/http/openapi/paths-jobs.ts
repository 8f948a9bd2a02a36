/** Durable jobs: submit, list, follow (SSE), re-render a segment, pause, resume, cancel, delete. */
import { jobListQuerySchema } from "../schemas/job-request.js";
import { eventStream, json, ref } from "./content.js";
import type { OperationSpec, RouteSpecs } from "./operation.js";

const ownJob = "A key without admin sees and controls its own jobs only.";

function control(operationId: string, summary: string, errors: number[] = [404, 409]): OperationSpec {
  return {
    operationId,
    summary,
    tag: "Jobs",
    description: ownJob,
    ok: { description: "The job now.", content: json() },
    errors,
  };
}

export const jobRouteSpecs: RouteSpecs = {
  "POST /api/v1/jobs": {
    operationId: "submitJob",
    summary: "Submit a long job",
    tag: "Jobs",
    description:
      "Runs a TTS, VC or concat request in the background, durably: follow it with its events, pause, resume or cancel it. Submitting needs the scope of the job's type.",
    body: {
      "application/json": {
        schema: ref("JobRequest"),
        example: { type: "tts", request: { text: "Chapter one. It was a bright cold day.", export_formats: ["mp3"] } },
      },
    },
    ok: { status: 202, description: "The job, queued.", content: json() },
    errors: [400, 404, 413, 415, 422],
  },
  "GET /api/v1/jobs": {
    operationId: "listJobs",
    summary: "List jobs",
    tag: "Jobs",
    description: ownJob,
    query: jobListQuerySchema,
    ok: { description: "A page of jobs.", content: json("{object: list, data, total, limit, offset}") },
    errors: [422],
  },
  "GET /api/v1/jobs/:id": control("getJob", "One job", [404]),
  "GET /api/v1/jobs/:id/events": {
    operationId: "followJob",
    summary: "Follow a job's progress",
    tag: "Jobs",
    description: `Server-Sent Events: the stored events, then live ones until the job ends. Send Last-Event-ID (or last_event_id) to resume. ${ownJob}`,
    parameters: [
      { name: "last_event_id", in: "query", description: "Resume after this event id.", schema: { type: "integer" } },
    ],
    ok: { description: "The event stream.", content: eventStream },
    errors: [404],
  },
  "GET /api/v1/jobs/:id/segments": control("listJobSegments", "A job's segments", [404]),
  "POST /api/v1/jobs/:id/segments/:n/render": {
    operationId: "rerenderJobSegment",
    summary: "Render one segment again",
    tag: "Jobs",
    description: `With new text, seed or parameters; the job's files are made again. ${ownJob}`,
    body: { "application/json": { schema: ref("SegmentRender"), example: { seed: 42 } } },
    ok: { status: 202, description: "The job, re-rendering.", content: json() },
    errors: [404, 409, 415, 422],
  },
  "POST /api/v1/jobs/:id/pause": control("pauseJob", "Pause a job"),
  "POST /api/v1/jobs/:id/resume": control("resumeJob", "Resume a job"),
  "POST /api/v1/jobs/:id/cancel": control("cancelJob", "Cancel a job"),
  "DELETE /api/v1/jobs/:id": {
    ...control("deleteJob", "Delete a finished job"),
    ok: { status: 204, description: "Deleted." },
  },
};
