/**
 * API-key checks for HTTP routes (a Koa middleware in front of the routers) and for the realtime WebSocket's
 * upgrade, which never reaches Koa. One rule for both: a route that is not public needs a working key, and a
 * route that names a scope needs a key granting it (or `admin`). Off (`auth.enabled: false`), every request
 * passes, as on a localhost-only setup.
 */
import type Router from "@koa/router";
import type { Middleware } from "koa";
import { AuthenticationError, PermissionDeniedError } from "../../domain/errors.js";
import type { ApiKey, ApiKeyStore } from "../../services/auth/api-key-store.js";
import type { KeyLimiter } from "../../services/auth/key-limiter.js";
import { allows } from "../../services/auth/scopes.js";
import { onResponseClosed } from "../middleware/request-context.js";
import { routeAccessLookup, type RouteAccess } from "./route-access.js";

export type KeyVerifier = Pick<ApiKeyStore, "authenticate">;

/** The secret of `Authorization: Bearer <secret>`, or undefined. */
export function bearerSecret(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match?.[1];
}

/**
 * The key behind `secret`, checked against what the route needs.
 * @throws AuthenticationError (401) without a working key; PermissionDeniedError (403) without the scope
 */
export function authorize(
  keys: KeyVerifier,
  secret: string | undefined,
  access: Exclude<RouteAccess, "public">,
): ApiKey {
  if (secret === undefined) {
    throw new AuthenticationError("This route needs an API key: send it as 'Authorization: Bearer <key>'");
  }
  const key = keys.authenticate(secret);
  if (!key) throw new AuthenticationError("The API key is not valid: it is unknown or has been revoked");
  if (access !== "key" && !allows(key.scopes, access)) {
    throw new PermissionDeniedError(
      `The API key '${key.prefix}…' lacks the scope '${access}' this route needs (it has: ${key.scopes.join(", ") || "none"})`,
    );
  }
  return key;
}

export interface ApiKeyAuthOptions {
  enabled: boolean;
  keys: KeyVerifier;
  /** The key's limits, checked once it is known. */
  limiter: Pick<KeyLimiter, "admit">;
  /** Every router of the app, in the order they are mounted. */
  routers: readonly Router[];
}

/**
 * Puts the request's key in `ctx.state.apiKey` and holds its share of the key's limits until the response
 * closes. Builds the route table even when off, so it is always checked.
 */
export function apiKeyAuth({ enabled, keys, limiter, routers }: ApiKeyAuthOptions): Middleware {
  const accessOf = routeAccessLookup(routers);
  return async (ctx, next) => {
    const access = enabled ? accessOf(ctx.method, ctx.path) : undefined;
    if (access !== undefined && access !== "public") {
      const key = authorize(keys, bearerSecret(ctx.get("authorization") || undefined), access);
      ctx.state.apiKey = key;
      const admission = limiter.admit(key);
      onResponseClosed(ctx, admission.release);
      ctx.set(admission.headers);
    }
    await next();
  };
}
