import { Hono } from "hono";
import { requireAdmin } from "../auth";
import type { ApiDeps } from "../deps";

/** POST /api/v1/ingest/run: ingest every due source now and answer with the run's summary. */
export function ingestRoutes(deps: ApiDeps) {
  return new Hono().post("/run", requireAdmin(deps), async (c) => c.json(await deps.ingest.runDue()));
}
