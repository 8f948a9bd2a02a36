import type { Context } from "koa";

/** `value` as JSON with non-ASCII escaped: header (and trailer) values must stay ASCII. */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Sets `name` to `value` as ASCII JSON; empty values are left out. */
export function setJsonHeader(ctx: Context, name: string, value: readonly unknown[] | Record<string, unknown>): void {
  if (Object.keys(value).length === 0) return;
  ctx.set(name, asciiJson(value));
}

/**
 * Sets `X-Warnings` to a JSON array of the warnings, so clients of audio responses see the same warnings JSON
 * clients get in the body.
 */
export function setWarningsHeader(ctx: Context, warnings: readonly string[]): void {
  setJsonHeader(ctx, "X-Warnings", warnings);
}
