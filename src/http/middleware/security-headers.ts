import type { Middleware } from "koa";

/**
 * Headers on every response that keep browsers from treating our output as something else: no MIME
 * sniffing (an uploaded "WAV" served back never becomes HTML), no framing (clickjacking), no Referer carrying
 * URLs that name files, and a Content-Security-Policy under which an API response can load or run nothing.
 */
const ALWAYS = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
};
const API_POLICY = "default-src 'none'; frame-ancestors 'none'";
/**
 * Audio and video go without that policy: a browser opening a file plays it in a media document of its own,
 * which loads the file under the response's policy, and `default-src 'none'` may forbid exactly that.
 */
const MEDIA_TYPES = /^(audio|video)\//;

/** Set before the routes run, so a route (a future HTML page, say) may set its own policy instead. */
export function securityHeaders(): Middleware {
  return async (ctx, next) => {
    ctx.set(ALWAYS);
    ctx.set("Content-Security-Policy", API_POLICY);
    await next();
    if (MEDIA_TYPES.test(ctx.response.type)) ctx.remove("Content-Security-Policy");
  };
}
