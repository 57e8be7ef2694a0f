import { type Source, sourceStatus } from "@eventwire/core";
import { addSource, configureSource } from "@eventwire/pipeline";
import { Hono } from "hono";
import { requireAdmin } from "../auth";
import type { ApiDeps } from "../deps";
import { ApiError } from "../errors";
import { sendJson } from "../http-cache";
import { NO_QUERY } from "../schemas/parameters";
import { NEW_SOURCE, SOURCE_SETTINGS } from "../schemas/sources";
import { parseJsonBody, parseQuery } from "../validate";

// A source's state changes when a fetch ends, a time it does not record: no Last-Modified,
// and clients revalidate (the ETag still spares them the body).
const SOURCE_CACHE = "no-cache";

/** A source with its fetch status in one word. */
function sourceJson(source: Source) {
  return { ...source, status: sourceStatus(source) };
}

/** /api/v1/sources: the feeds polled, with their fetch state; adding and refreshing need the admin key. */
export function sourceRoutes(deps: ApiDeps) {
  const admin = requireAdmin(deps);
  return new Hono()
    .get("/", async (c) => {
      parseQuery(c, NO_QUERY);
      const sources = await deps.store.sources.list();
      return sendJson(c, deps, { items: sources.map(sourceJson) }, { cacheControl: SOURCE_CACHE });
    })
    .get("/:id", async (c) => {
      parseQuery(c, NO_QUERY);
      const source = await deps.store.sources.get(c.req.param("id"));
      if (source === null) throw new ApiError(404, "not_found", `no source has the id "${c.req.param("id")}"`);
      return sendJson(c, deps, sourceJson(source), { cacheControl: SOURCE_CACHE });
    })
    .post("/", admin, async (c) => {
      const body = await parseJsonBody(c, NEW_SOURCE);
      const result = await addSource(deps, body);
      if (!result.ok) throw new ApiError(400, "invalid_body", `field "url": ${result.error}`);
      c.header("Location", `/api/v1/sources/${result.source.id}`);
      return c.json(sourceJson(result.source), result.created ? 201 : 200);
    })
    .patch("/:id", admin, async (c) => {
      const body = await parseJsonBody(c, SOURCE_SETTINGS);
      const result = await configureSource(deps, c.req.param("id"), body);
      if (!result.ok)
        throw new ApiError(result.notFound ? 404 : 400, result.notFound ? "not_found" : "invalid_body", result.error);
      return c.json(sourceJson(result.source));
    })
    .post("/:id/refresh", admin, async (c) => {
      const id = c.req.param("id");
      // Checked here first, so an unknown id costs no ingest run (on AWS, no invocation).
      const notFound = () => new ApiError(404, "not_found", `no source has the id "${id}"`);
      if ((await deps.store.sources.get(id)) === null) throw notFound();
      const result = await deps.ingest.refreshSource(id);
      if (result === null) throw notFound();
      return c.json(result);
    });
}
