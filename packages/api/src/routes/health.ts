import { errorMessage } from "@eventwire/core";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { ApiDeps } from "../deps";
import { answers, PUBLIC } from "../openapi/answers";
import { mountRoute } from "../openapi/route";
import { HEALTH } from "../schemas/meta";

const healthRoute = createRoute({
  method: "get",
  path: "/",
  operationId: "getHealth",
  tags: ["meta"],
  summary: "Whether the table answers (never rate-limited, never cached)",
  security: PUBLIC,
  responses: {
    ...answers({ ok: { description: "ok", schema: HEALTH }, errors: [], rated: false }),
    503: {
      description: "the table does not answer: `checks.table` names the kind of failure",
      content: { "application/json": { schema: HEALTH } },
    },
  },
});

/** GET /health: 200 when the table answers, 503 (naming the kind of failure) when it does not. */
export function healthRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono();
  mountRoute(app, healthRoute, async (c) => {
    c.header("Cache-Control", "no-store");
    const report = (status: "ok" | "unavailable", table: string) => ({
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
  return app;
}
