/** Service description, health, probes and metrics, the API's own documentation, usage, maintenance, keys. */
import { noQuery, recentQuery } from "../routes/api-metrics.js";
import { auditQuery, createBody } from "../routes/keys.js";
import { cleanupBody } from "../routes/maintenance.js";
import { usageQuery } from "../routes/usage.js";
import { jsonSchemaOf } from "./json-schema.js";
import { json } from "./content.js";
import type { RouteSpecs } from "./operation.js";

const text = (type: string) => ({ [type]: { schema: { type: "string" } } });

const systemRoutes: RouteSpecs = {
  "GET /": {
    operationId: "getServiceInfo",
    summary: "What this server is",
    tag: "System",
    description: "JSON naming the main endpoints; a browser asking for HTML gets a page pointing at the studio.",
    ok: { description: "The service description.", content: { ...json(), ...text("text/html") } },
    errors: [],
  },
  "GET /api/v1/health": {
    operationId: "getHealth",
    summary: "Whether the server can speak now",
    tag: "System",
    description: "200 when inference works, 503 otherwise; the body says why either way.",
    ok: { description: "Healthy: engine, sidecar, queue, library and warnings.", content: json() },
    errors: [],
  },
  "GET /api/v1/config": {
    operationId: "getConfig",
    summary: "Defaults and limits in force",
    tag: "System",
    ok: { description: "tts_defaults, vc_defaults, supported formats, limits and loaded engines.", content: json() },
    errors: [],
  },
  "GET /healthz": {
    operationId: "getLiveness",
    summary: "Liveness probe",
    tag: "System",
    ok: { description: "The process is alive.", content: json() },
    errors: [],
  },
  "GET /readyz": {
    operationId: "getReadiness",
    summary: "Readiness probe",
    tag: "System",
    description: "503 while the sidecar is not ready.",
    ok: { description: "Ready to serve.", content: json() },
    errors: [],
  },
  "GET /metrics": {
    operationId: "getPrometheusMetrics",
    summary: "Prometheus metrics",
    tag: "System",
    ok: { description: "The metrics in Prometheus' text format.", content: text("text/plain") },
    errors: [],
  },
  "GET /api/v1/metrics": {
    operationId: "getApiMetrics",
    summary: "System and timing summary",
    tag: "System",
    query: noQuery,
    ok: { description: "System figures and the last hour's processing and response times.", content: json() },
    errors: [422],
  },
  "GET /api/v1/errors/summary": {
    operationId: "getErrorSummary",
    summary: "Errors by code and endpoint",
    tag: "Maintenance",
    query: noQuery,
    ok: { description: "Counts of recent errors.", content: json() },
    errors: [422],
  },
  "GET /api/v1/errors/recent": {
    operationId: "getRecentErrors",
    summary: "The latest errors",
    tag: "Maintenance",
    query: recentQuery,
    ok: { description: "The most recent errors.", content: json() },
    errors: [422],
  },
  "GET /ui": {
    operationId: "redirectToStudio",
    summary: "The studio web app (redirects to /ui/)",
    tag: "System",
    ok: { status: 301, description: "Moved to /ui/, where the page's relative links resolve." },
    errors: [],
  },
  "GET /ui/": {
    operationId: "getStudio",
    summary: "The studio web app",
    tag: "System",
    description: "A browser app for speaking, converting and managing the libraries through this API.",
    ok: { description: "The page.", content: text("text/html") },
    errors: [],
  },
  "GET /ui/*path": {
    operationId: "getStudioAsset",
    pathText: "A file name of the studio's build.",
    summary: "A file of the studio web app",
    tag: "System",
    ok: {
      description: "A script or style sheet of the studio.",
      content: { ...text("text/javascript"), ...text("text/css") },
    },
    errors: [404],
  },
  "GET /openapi.json": {
    operationId: "getOpenApiDocument",
    summary: "This document",
    tag: "Docs",
    description:
      "OpenAPI 3.1, generated from the schemas that validate the requests, with this server's defaults and limits.",
    ok: { description: "The OpenAPI document.", content: json() },
    errors: [],
  },
  "GET /docs": {
    operationId: "getApiDocs",
    summary: "Interactive API reference",
    tag: "Docs",
    description: "Swagger UI over /openapi.json, served from this server (no CDN).",
    ok: { description: "The page.", content: text("text/html") },
    errors: [],
  },
  "GET /docs/*path": {
    operationId: "getApiDocsAsset",
    pathText: "swagger-ui-bundle.js, swagger-ui.css or init.js.",
    summary: "A file of the interactive reference",
    tag: "Docs",
    ok: {
      description: "A script, style sheet or image of Swagger UI.",
      content: { ...text("text/javascript"), ...text("text/css") },
    },
    errors: [404],
  },
};

const adminRoutes: RouteSpecs = {
  "GET /api/v1/usage": {
    operationId: "getUsage",
    summary: "Usage rows and totals",
    tag: "Usage",
    description: "A key without admin sees its own usage only; format=csv exports the rows.",
    query: usageQuery,
    ok: { description: "Rows, totals and optional groups, or a CSV.", content: { ...json(), ...text("text/csv") } },
    errors: [422],
  },
  "GET /api/v1/resources": {
    operationId: "getResources",
    summary: "Disk use of the data folders",
    tag: "Maintenance",
    ok: { description: "Sizes and counts.", content: json() },
    errors: [],
  },
  "POST /api/v1/cleanup": {
    operationId: "runCleanup",
    summary: "Remove stale temporary files",
    tag: "Maintenance",
    description: 'No body is a real run; {"dry_run": true} only reports what would go.',
    body: { "application/json": { schema: jsonSchemaOf(cleanupBody), example: { dry_run: true } } },
    ok: { description: "What was (or would be) removed.", content: json() },
    errors: [409, 415, 422],
  },
  "GET /api/v1/cleanup/status": {
    operationId: "getCleanupStatus",
    summary: "The last cleanup",
    tag: "Maintenance",
    ok: { description: "When it ran and what it removed.", content: json() },
    errors: [],
  },
  "GET /api/v1/keys": {
    operationId: "listKeys",
    summary: "List API keys",
    tag: "Keys",
    ok: { description: "The keys, without their secrets.", content: json() },
    errors: [],
  },
  "POST /api/v1/keys": {
    operationId: "createKey",
    summary: "Create an API key",
    tag: "Keys",
    body: {
      "application/json": {
        schema: jsonSchemaOf(createBody),
        example: { name: "studio", scopes: ["tts", "voices:read"] },
      },
    },
    ok: { status: 201, description: "The key, with its secret shown this once.", content: json() },
    errors: [415, 422],
  },
  "DELETE /api/v1/keys/:id": {
    operationId: "revokeKey",
    summary: "Revoke an API key",
    tag: "Keys",
    ok: { description: "The key revoked.", content: json() },
    errors: [404],
  },
  "GET /api/v1/audit": {
    operationId: "getAuditLog",
    summary: "The audit log",
    tag: "Keys",
    query: auditQuery,
    ok: { description: "Key creations and revocations, bulk deletes and cleanups, newest first.", content: json() },
    errors: [422],
  },
};

export const systemRouteSpecs: RouteSpecs = { ...systemRoutes, ...adminRoutes };
