import { POLL_POLICY } from "@eventwire/core";
import { addSource, ingestSource } from "@eventwire/pipeline";
import { Hono } from "hono";
import { z } from "zod";
import { requireAdmin } from "../auth";
import type { ApiDeps } from "../deps";
import { ApiError } from "../errors";
import { parseJsonBody, parseQuery } from "../validate";

const NO_QUERY = z.strictObject({});

const NEW_SOURCE = z.strictObject({
  url: z.string().min(1).max(2048),
  title: z.string().min(1).max(200).optional(),
  intervalSeconds: z.number().int().min(POLL_POLICY.minIntervalSeconds).max(POLL_POLICY.maxIntervalSeconds).optional(),
});

/** /api/v1/sources: the feeds polled, with their fetch state; adding and refreshing need the admin key. */
export function sourceRoutes(deps: ApiDeps) {
  const admin = requireAdmin(deps);
  return new Hono()
    .get("/", async (c) => {
      parseQuery(c, NO_QUERY);
      const sources = await deps.store.sources.list();
      c.header("Cache-Control", "no-cache");
      return c.json({ items: sources });
    })
    .get("/:id", async (c) => {
      parseQuery(c, NO_QUERY);
      const source = await deps.store.sources.get(c.req.param("id"));
      if (source === null) throw new ApiError(404, "not_found", `no source has the id "${c.req.param("id")}"`);
      c.header("Cache-Control", "no-cache");
      return c.json(source);
    })
    .post("/", admin, async (c) => {
      const body = await parseJsonBody(c, NEW_SOURCE);
      const result = await addSource(deps, body);
      if (!result.ok) throw new ApiError(400, "invalid_body", `field "url": ${result.error}`);
      c.header("Location", `/api/v1/sources/${result.source.id}`);
      return c.json(result.source, result.created ? 201 : 200);
    })
    .post("/:id/refresh", admin, async (c) => {
      const id = c.req.param("id");
      const source = await deps.store.sources.get(id);
      if (source === null) throw new ApiError(404, "not_found", `no source has the id "${id}"`);
      const result = await ingestSource(deps, source);
      return c.json(result);
    });
}
