import { type Source, sourceStatus } from "@eventwire/core";
import { addSource, configureSource } from "@eventwire/pipeline";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { requireAdmin } from "../auth";
import type { ApiDeps } from "../deps";
import { ApiError } from "../errors";
import { sendJson } from "../http-cache";
import { ADMIN, answers, jsonRequest, PUBLIC, pathParameters } from "../openapi/answers";
import { mountRoute } from "../openapi/route";
import { NO_QUERY } from "../schemas/parameters";
import { INGEST_RESULT, NEW_SOURCE, SOURCE, SOURCE_LIST, SOURCE_SETTINGS } from "../schemas/sources";

// A source's state changes when a fetch ends, a time it does not record: no Last-Modified,
// and clients revalidate (the ETag still spares them the body).
const SOURCE_CACHE = "no-cache";

const SOURCE_ID = pathParameters({ id: "source id" });

/** A source with its fetch status in one word. */
function sourceJson(source: Source) {
  return { ...source, status: sourceStatus(source) };
}

/** /api/v1/sources: the feeds polled, with their fetch state; adding and refreshing need the admin key. */
export function sourceRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono();
  const admin = { security: ADMIN, middleware: [requireAdmin(deps)] };
  const notFound = (id: string) => new ApiError(404, "not_found", `no source has the id "${id}"`);

  const listSources = createRoute({
    method: "get",
    path: "/",
    operationId: "listSources",
    tags: ["sources"],
    summary: "The polled feeds, each with its fetch status",
    security: PUBLIC,
    request: { query: NO_QUERY },
    responses: answers({ ok: { description: "every source", schema: SOURCE_LIST }, errors: [400], cached: true }),
  });
  mountRoute(app, listSources, async (c) => {
    const sources = await deps.store.sources.list();
    return sendJson(c, deps, { items: sources.map(sourceJson) }, { cacheControl: SOURCE_CACHE });
  });

  const getSource = createRoute({
    method: "get",
    path: "/{id}",
    operationId: "getSource",
    tags: ["sources"],
    summary: "One source and its fetch status",
    security: PUBLIC,
    request: { params: SOURCE_ID, query: NO_QUERY },
    responses: answers({ ok: { description: "the source", schema: SOURCE }, errors: [400, 404], cached: true }),
  });
  mountRoute(app, getSource, async (c) => {
    const source = await deps.store.sources.get(c.req.param("id"));
    if (source === null) throw notFound(c.req.param("id"));
    return sendJson(c, deps, sourceJson(source), { cacheControl: SOURCE_CACHE });
  });

  const addSourceRoute = createRoute({
    method: "post",
    path: "/",
    operationId: "addSource",
    tags: ["sources"],
    summary: "Add a feed (adding it again changes nothing)",
    ...admin,
    request: { body: jsonRequest(NEW_SOURCE) },
    responses: answers({
      ok: { status: 201, description: "added (200: it was there already)", schema: SOURCE },
      errors: [400, 401, 503],
      body: true,
    }),
  });
  mountRoute(app, addSourceRoute, async (c) => {
    const result = await addSource(deps, c.req.valid("json"));
    if (!result.ok) throw new ApiError(400, "invalid_body", `field "url": ${result.error}`);
    c.header("Location", `/api/v1/sources/${result.source.id}`);
    return c.json(sourceJson(result.source), result.created ? 201 : 200);
  });

  const configureSourceRoute = createRoute({
    method: "patch",
    path: "/{id}",
    operationId: "configureSource",
    tags: ["sources"],
    summary: "Change a source's settings: enabled, fullText, intervalSeconds",
    ...admin,
    request: { params: SOURCE_ID, body: jsonRequest(SOURCE_SETTINGS) },
    responses: answers({
      ok: { description: "the source as changed", schema: SOURCE },
      errors: [400, 401, 404, 503],
      body: true,
    }),
  });
  mountRoute(app, configureSourceRoute, async (c) => {
    const result = await configureSource(deps, c.req.param("id"), c.req.valid("json"));
    if (!result.ok) throw new ApiError(result.notFound ? 404 : 400, result.notFound ? "not_found" : "invalid_body", result.error);
    return c.json(sourceJson(result.source));
  });

  const refreshSource = createRoute({
    method: "post",
    path: "/{id}/refresh",
    operationId: "refreshSource",
    tags: ["sources"],
    summary: "Fetch one source now",
    ...admin,
    request: { params: SOURCE_ID },
    responses: answers({
      ok: { description: "the fetch's result", schema: INGEST_RESULT },
      errors: [401, 404, 502, 503, 504],
    }),
  });
  mountRoute(app, refreshSource, async (c) => {
    const id = c.req.param("id");
    // Checked here first, so an unknown id costs no ingest run (on AWS, no invocation).
    if ((await deps.store.sources.get(id)) === null) throw notFound(id);
    const result = await deps.ingest.refreshSource(id);
    if (result === null) throw notFound(id);
    return c.json(result);
  });
  return app;
}
