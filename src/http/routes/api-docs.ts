/**
 * The API's own documentation: GET /openapi.json (built once per app from the config in force) and the
 * interactive reference at /docs, Swagger UI served from node_modules/swagger-ui-dist so it works offline and
 * no third party sees who reads the docs. Only the files the page loads are served, named in a list, so no
 * request path reaches the disk unchecked.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import Router from "@koa/router";
import type { AppConfig } from "../../config/app-config.js";
import { NotFoundError } from "../../domain/errors.js";
import { buildOpenApiDocument } from "../openapi/openapi-document.js";
import { sendFile } from "../present/send-file.js";

/**
 * The page runs only its own scripts (the initializer is a file, not inline, for that reason) and reaches
 * only this server. Swagger UI draws its icons as data: SVGs, hence img-src data:.
 */
const DOCS_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** Relative URLs, so the page also works behind a proxy that mounts the server under a prefix. */
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>API reference - Chatterbox TTS Extended Plus</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="docs/swagger-ui-bundle.js"></script>
<script src="docs/init.js"></script>
</body>
</html>
`;

/** validatorUrl null: the stock UI would send the document to validator.swagger.io. */
const INIT_SCRIPT = `window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({ url: "openapi.json", dom_id: "#swagger-ui", deepLinking: true, validatorUrl: null });
});
`;

const ASSETS = new Set(["swagger-ui-bundle.js", "swagger-ui.css"]);
const CACHE = "public, max-age=86400";

function swaggerUiFolder(): string {
  // The package's main module loads the whole bundle into Node; its path helper alone does not.
  const require = createRequire(import.meta.url);
  return (require("swagger-ui-dist/absolute-path.js") as () => string)();
}

export interface ApiDocsRoutesOptions {
  config: AppConfig;
  version: string;
}

export function apiDocsRoutes(options: ApiDocsRoutesOptions): Router {
  const document = buildOpenApiDocument(options);
  const folder = swaggerUiFolder();
  const router = new Router();
  router.get("/openapi.json", (ctx) => {
    ctx.body = document;
  });
  router.get("/docs", (ctx) => {
    ctx.set("Content-Security-Policy", DOCS_POLICY);
    ctx.type = "html";
    ctx.body = PAGE;
  });
  router.get("/docs/*path", async (ctx) => {
    const name = String(ctx.params.path);
    ctx.set("Cache-Control", CACHE);
    if (name === "init.js") {
      ctx.type = "text/javascript; charset=utf-8";
      ctx.body = INIT_SCRIPT;
      return;
    }
    if (!ASSETS.has(name)) throw new NotFoundError(`Not found: ${ctx.path}`);
    await sendFile(ctx, join(folder, name));
  });
  return router;
}
