import { errorMessage } from "@eventwire/core";
import { Hono } from "hono";
import type { ApiDeps } from "../deps";

/** GET /health: 200 when the table answers, 503 (naming the kind of failure) when it does not. */
export function healthRoutes(deps: ApiDeps) {
  return new Hono().get("/", async (c) => {
    c.header("Cache-Control", "no-store");
    const report = (status: string, table: string) => ({
      status,
      version: deps.config.version,
      time: deps.now().toISOString(),
      checks: { table },
    });
    try {
      await deps.store.ping();
      return c.json(report("ok", "ok"));
    } catch (error) {
      // The SDK's message can name accounts and roles: it goes to the log, not to the client.
      deps.log.error("health check failed", { error: errorMessage(error) });
      return c.json(report("unavailable", `unreachable (${error instanceof Error ? error.name : "error"})`), 503);
    }
  });
}
