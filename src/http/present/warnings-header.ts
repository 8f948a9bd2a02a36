import type { Context } from "koa";

/**
 * Sets `X-Warnings` to a JSON array of the warnings (non-ASCII escaped so the header stays valid), so clients
 * of audio responses see the same warnings JSON clients get in the body.
 */
export function setWarningsHeader(ctx: Context, warnings: readonly string[]): void {
  if (warnings.length === 0) return;
  const ascii = JSON.stringify(warnings).replace(
    /[^\x20-\x7e]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  ctx.set("X-Warnings", ascii);
}
