/**
 * What every route needs when API keys are on (`auth.enabled`): `public` (no key), `key` (any working key), or
 * one scope. Every route of the app must be listed and every entry must be a route: createApp checks both
 * at start, so a route added without a decision here fails every test at once.
 */
import type Router from "@koa/router";
import type { Scope } from "../../services/auth/scopes.js";
import { routeMatcher } from "../route-pattern.js";

export type RouteAccess = "public" | "key" | Scope;

/** `METHOD path` as registered with the router → what it needs. */
export const ROUTE_ACCESS: Readonly<Record<string, RouteAccess>> = {
  // Service description and health: load balancers and people check them without credentials.
  "GET /": "public",
  // The studio's page and bundled files hold no data: everything it shows comes through the API, with a key.
  "GET /ui": "public",
  "GET /ui/": "public",
  "GET /ui/*path": "public",
  "GET /api/v1/health": "public",
  // Orchestrators' probes (liveness, readiness) carry no credentials.
  "GET /healthz": "public",
  "GET /readyz": "public",
  // The API's description and its reference page: what any client may call is no secret.
  "GET /openapi.json": "public",
  "GET /docs": "public",
  "GET /docs/*path": "public",
  // Metrics name routes, engines and traffic volumes: operators only.
  "GET /metrics": "admin",
  "GET /api/v1/config": "key",
  "POST /api/v1/tts": "tts",
  "POST /v1/audio/speech": "tts",
  "GET /v1/audio/speech/ws": "realtime",
  "GET /v1/models": "key",
  "GET /v1/models/*path": "key",
  // Joining audio makes new audio from outputs, as TTS does.
  "POST /api/v1/concat": "tts",
  "POST /api/v1/concat/mixed": "tts",
  "POST /api/v1/vc": "vc",
  "POST /api/v1/vc_input": "vc",
  "POST /v1/audio/transcriptions": "stt",
  "POST /v1/audio/translations": "stt",
  "GET /api/v1/voices": "voices:read",
  "GET /api/v1/voices/folders": "voices:read",
  "GET /api/v1/voices/*path/audio": "voices:read",
  "GET /api/v1/voices/*path": "voices:read",
  "GET /v1/audio/voices": "voices:read",
  "POST /api/v1/voice": "voices:write",
  "PUT /api/v1/voice/*path/metadata": "voices:write",
  "DELETE /api/v1/voice/*path": "voices:write",
  "DELETE /api/v1/voices": "voices:write",
  "POST /v1/audio/voices": "voices:write",
  "GET /outputs/*path": "files:read",
  "GET /api/v1/outputs": "files:read",
  "GET /api/v1/outputs/folders": "files:read",
  "GET /api/v1/outputs/*path/audio": "files:read",
  "GET /api/v1/outputs/*path/metadata": "files:read",
  "GET /api/v1/outputs/*path": "files:read",
  "GET /api/v1/vc_inputs": "files:read",
  "GET /api/v1/vc_inputs/folders": "files:read",
  "GET /api/v1/vc_inputs/*path/audio": "files:read",
  "GET /api/v1/vc_inputs/*path": "files:read",
  "DELETE /api/v1/output/*path": "files:delete",
  "DELETE /api/v1/outputs": "files:delete",
  "DELETE /api/v1/vc_input/*path": "files:delete",
  "DELETE /api/v1/vc_inputs": "files:delete",
  "GET /api/v1/resources": "admin",
  "GET /api/v1/cleanup/status": "admin",
  "POST /api/v1/cleanup": "admin",
  "GET /api/v1/keys": "admin",
  "POST /api/v1/keys": "admin",
  "DELETE /api/v1/keys/:id": "admin",
  "GET /api/v1/audit": "admin",
  // Traffic, timings and failures of every key: operators only.
  "GET /api/v1/metrics": "admin",
  "GET /api/v1/errors/summary": "admin",
  "GET /api/v1/errors/recent": "admin",
  // A key without admin sees its own usage only.
  "GET /api/v1/usage": "key",
  // Submitting needs the scope of the job's type (checked by the route); a key without admin sees and
  // controls its own jobs only.
  "POST /api/v1/jobs": "key",
  "GET /api/v1/jobs": "key",
  "GET /api/v1/jobs/:id": "key",
  "GET /api/v1/jobs/:id/events": "key",
  "GET /api/v1/jobs/:id/segments": "key",
  "POST /api/v1/jobs/:id/segments/:n/render": "key",
  "POST /api/v1/jobs/:id/pause": "key",
  "POST /api/v1/jobs/:id/resume": "key",
  "POST /api/v1/jobs/:id/cancel": "key",
  "DELETE /api/v1/jobs/:id": "key",
};

/** Every `METHOD path` the routers register (HEAD, which Koa adds to GET, left out). */
export function registeredRoutes(routers: readonly Router[]): string[] {
  return routers.flatMap((router) =>
    router.stack.flatMap((layer) =>
      layer.methods.filter((method) => method !== "HEAD").map((method) => `${method} ${String(layer.path)}`),
    ),
  );
}

/**
 * The lookup of what a request needs: undefined for a path and method no route serves (404/405 follow).
 * @throws Error naming the routes without an entry in ROUTE_ACCESS, and the entries without a route
 */
export function routeAccessLookup(
  routers: readonly Router[],
): (method: string, path: string) => RouteAccess | undefined {
  const registered = registeredRoutes(routers);
  const missing = registered.filter((route) => !(route in ROUTE_ACCESS));
  const stale = Object.keys(ROUTE_ACCESS).filter((route) => !registered.includes(route));
  if (missing.length > 0 || stale.length > 0) {
    throw new Error(
      `ROUTE_ACCESS is out of date: no entry for [${missing.join(", ")}]; no route for [${stale.join(", ")}]`,
    );
  }
  const routeOf = routeMatcher(routers);
  return (method, path) => {
    const route = routeOf(method, path);
    return route === undefined ? undefined : ROUTE_ACCESS[route];
  };
}
