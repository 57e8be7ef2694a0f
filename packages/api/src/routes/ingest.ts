import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { requireAdmin } from "../auth";
import type { ApiDeps } from "../deps";
import { ADMIN, answers } from "../openapi/answers";
import { mountRoute } from "../openapi/route";
import { INGEST_RUN } from "../schemas/sources";

/** POST /api/v1/ingest/run: ingest every due source now and answer with the run's summary. */
export function ingestRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono();
  const runIngestRoute = createRoute({
    method: "post",
    path: "/run",
    operationId: "runIngest",
    tags: ["sources"],
    summary: "Fetch every due source now",
    security: ADMIN,
    middleware: [requireAdmin(deps)],
    responses: answers({ ok: { description: "the run's summary", schema: INGEST_RUN }, errors: [401, 502, 503, 504] }),
  });
  mountRoute(app, runIngestRoute, async (c) => c.json(await deps.ingest.runDue()));
  return app;
}
