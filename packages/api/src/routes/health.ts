import { Hono } from "hono";
import type { ApiDeps } from "../deps";

/** GET /health: 200 when the table answers, 503 (with what failed) when it does not. */
export function healthRoutes(deps: ApiDeps) {
  return new Hono().get("/", async (c) => {
    c.header("Cache-Control", "no-store");
    try {
      await deps.store.ping();
      return c.json({ status: "ok", version: deps.config.version, time: deps.now().toISOString(), checks: { table: "ok" } });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      deps.log.error("health check failed", { error: message });
      return c.json(
        {
          status: "unavailable",
          version: deps.config.version,
          time: deps.now().toISOString(),
          checks: { table: `unreachable: ${message}` },
        },
        503,
      );
    }
  });
}
