import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { html, raw } from "hono/html";
import { baseUrl } from "../base-url";
import type { ApiDeps } from "../deps";
import { sendCached, sendJson } from "../http-cache";
import { answers, PUBLIC } from "../openapi/answers";
import type { OpenApiDocument } from "../openapi/document";
import { mountRoute } from "../openapi/route";
import { strictCsp } from "../pages/layout";

type Parameter = { name: string; in: string; required: boolean; description?: unknown; schema: Record<string, unknown> };
type OperationView = { summary: string; description?: string; parameters?: Parameter[]; responses: Record<string, unknown> };

// The spec changes only with a new version of the server.
const SPEC_CACHE = "public, max-age=300";

const DOCS_CSS = `
body { font: 16px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; vertical-align: top; }
section { margin-bottom: 2rem; }
`;

/** As strict as the pages': no script, the one inline style by its hash. */
const DOCS_CSP = strictCsp(DOCS_CSS);

function typeOf(schema: Record<string, unknown>): string {
  if (Array.isArray(schema.enum)) return schema.enum.join(" | ");
  if (Array.isArray(schema.anyOf)) return "date or date-time";
  const bounds = [schema.minimum, schema.maximum].every((bound) => bound !== undefined)
    ? ` ${schema.minimum}–${schema.maximum}`
    : "";
  return `${String(schema.type ?? "string")}${bounds}`;
}

function operationHtml(method: string, path: string, operation: OperationView) {
  const parameters = operation.parameters ?? [];
  return html`<section id="${method}-${path}">
  <h3><code>${method.toUpperCase()} ${path}</code></h3>
  <p>${operation.summary}</p>
  ${operation.description !== undefined ? html`<p>${operation.description}</p>` : ""}
  ${
    parameters.length === 0
      ? ""
      : html`<table>
    <tr><th>parameter</th><th>in</th><th>form</th><th>default</th><th>meaning</th></tr>
    ${parameters.map(
      (parameter) =>
        html`<tr><td><code>${parameter.name}</code>${parameter.required ? " (required)" : ""}</td><td>${parameter.in}</td><td>${typeOf(parameter.schema)}</td><td>${parameter.schema.default === undefined ? "" : String(parameter.schema.default)}</td><td>${String(parameter.description ?? "")}</td></tr>`,
    )}
  </table>`
  }
  <p>Answers: ${Object.keys(operation.responses).join(", ")}</p>
</section>`;
}

function docsPage(spec: OpenApiDocument) {
  const operations = Object.entries(spec.paths ?? {}).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => operationHtml(method, path, operation as OperationView)),
  );
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>eventwire API ${spec.info.version}</title>
<style>${raw(DOCS_CSS)}</style>
</head>
<body>
<h1>eventwire API <small>${spec.info.version}</small></h1>
<p>${spec.info.description}</p>
<p>The machine-readable description: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${spec.openapi}).</p>
${raw(operations.map(String).join("\n"))}
</body>
</html>`;
}

const specRoute = createRoute({
  method: "get",
  path: "/openapi.json",
  operationId: "getOpenApiDocument",
  tags: ["meta"],
  summary: "This document",
  security: PUBLIC,
  responses: answers({
    ok: { description: "OpenAPI 3.1", schema: z.record(z.string(), z.unknown()) },
    errors: [],
    cached: true,
  }),
});

const docsRoute = createRoute({
  method: "get",
  path: "/docs",
  operationId: "getDocsPage",
  tags: ["meta"],
  summary: "This document as a page",
  security: PUBLIC,
  responses: answers({
    ok: { description: "HTML", content: { "text/html": z.string() } },
    errors: [],
    cached: true,
  }),
});

/**
 * GET /openapi.json (OpenAPI 3.1, generated from the routes the app serves) and GET /docs (the
 * same, as a page). `document` makes it for a server URL.
 */
export function docsRoutes(deps: ApiDeps, document: (serverUrl: string) => OpenApiDocument) {
  const app = new OpenAPIHono();
  mountRoute(app, specRoute, (c) => sendJson(c, deps, document(baseUrl(c, deps)), { cacheControl: SPEC_CACHE }));
  mountRoute(app, docsRoute, async (c) =>
    sendCached(c, deps, {
      body: String(await docsPage(document(baseUrl(c, deps)))),
      contentType: "text/html; charset=utf-8",
      cacheControl: SPEC_CACHE,
      lastModified: null,
      headers: { "Content-Security-Policy": DOCS_CSP },
    }),
  );
  return app;
}
