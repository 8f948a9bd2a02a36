/** Which registered route serves a request, as `METHOD /pattern` (HEAD counted as GET). */
import type Router from "@koa/router";

export type RouteMatcher = (method: string, path: string) => string | undefined;

export function routeMatcher(routers: readonly Router[]): RouteMatcher {
  return (method, path) => {
    const asked = method === "HEAD" ? "GET" : method;
    for (const router of routers) {
      const layer = router.match(path, asked).pathAndMethod.find((candidate) => candidate.methods.length > 0);
      if (layer) return `${asked} ${String(layer.path)}`;
    }
    return undefined;
  };
}
