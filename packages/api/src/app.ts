import { randomUUID } from "node:crypto";
import { mapFeedFormats } from "@eventwire/core";
import { OpenAPIHono } from "@hono/zod-openapi";
import { etag } from "hono/etag";
import { type RequestIdVariables, requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { baseUrl } from "./base-url";
import type { ApiDeps } from "./deps";
import { ApiError, errorBody } from "./errors";
import { openApiDocumentOf, registerSharedComponents } from "./openapi/document";
import { rateLimit } from "./rate-limit";
import { requestLimits } from "./request-limits";
import { articleRoutes } from "./routes/articles";
import { docsRoutes } from "./routes/docs";
import { eventRoutes } from "./routes/events";
import { feedRoutes } from "./routes/feeds";
import { healthRoutes } from "./routes/health";
import { ingestRoutes } from "./routes/ingest";
import { pageRoutes } from "./routes/pages";
import { schemaRoutes } from "./routes/schemas";
import { sourceRoutes } from "./routes/sources";
import { deliveryRoutes, subscriptionRoutes } from "./routes/subscriptions";
import { themeRoutes } from "./routes/themes";
import { refuseQuery } from "./validate";

/**
 * The one Hono app: served by the local runner and, unchanged, by the Lambda handler. Every
 * failure leaves as `{ "error": { "code", "message", "requestId" } }`.
 */
export function createApp(deps: ApiDeps) {
  const app = new OpenAPIHono<{ Variables: RequestIdVariables }>();
  // node:crypto's own randomUUID, not the Web Crypto one Hono calls: a third of the cost per id.
  app.use(requestId({ generator: () => randomUUID() }));
  app.use(secureHeaders({ crossOriginResourcePolicy: "cross-origin" }));
  // Outside the etag middleware, so its headers reach 304s too.
  app.use(rateLimit(deps));
  // Before any route reads the URL or the body: 414 and 413 as JSON errors.
  app.use(...requestLimits());
  app.on(["POST", "PUT", "PATCH", "DELETE"], "/api/v1/*", refuseQuery);
  // Strong validators from the body, 304 on If-None-Match, for feeds and JSON reads.
  const conditional = etag({ retainedHeaders: ["cache-control", "etag", "expires", "vary", "last-modified"] });
  app.use("/feeds/*", conditional);
  app.use("/api/v1/*", conditional);
  app.use("/openapi.json", conditional);
  app.use("/docs", conditional);
  app.use("/schemas/*", conditional);

  // The pages for people (`/`, `/events/{id}`); `/` passes JSON clients on to the index below.
  app.route("/", pageRoutes(deps));
  app.get("/", (c) => {
    const base = baseUrl(c, deps);
    return c.json({
      name: "eventwire",
      version: deps.config.version,
      feeds: deps.config.themes.map((theme) => ({
        theme: theme.id,
        title: theme.title,
        ...mapFeedFormats((format) => `${base}/feeds/${theme.id}.${format}`),
        events: mapFeedFormats((format) => `${base}/feeds/${theme.id}/events.${format}`),
      })),
      api: {
        events: `${base}/api/v1/events`,
        articles: `${base}/api/v1/articles`,
        sources: `${base}/api/v1/sources`,
        subscriptions: `${base}/api/v1/subscriptions`,
        health: `${base}/health`,
        themeSchema: `${base}/schemas/theme.json`,
      },
    });
  });
  // Each route is served and documented at once; /openapi.json lists them in this order.
  registerSharedComponents(app);
  app.route("/api/v1/events", eventRoutes(deps));
  app.route("/api/v1/articles", articleRoutes(deps));
  app.route("/api/v1/themes", themeRoutes(deps));
  app.route("/schemas", schemaRoutes(deps));
  app.route("/api/v1/sources", sourceRoutes(deps));
  app.route("/api/v1/ingest", ingestRoutes(deps));
  app.route("/api/v1/subscriptions", subscriptionRoutes(deps));
  app.route("/api/v1/deliveries", deliveryRoutes(deps));
  app.route("/feeds", feedRoutes(deps));
  app.route("/health", healthRoutes(deps));
  app.route("/", docsRoutes(deps, openApiDocumentOf(app, deps.config.version)));

  app.notFound((c) => c.json(errorBody(c, "not_found", `no route for ${c.req.method} ${new URL(c.req.url).pathname}`), 404));
  app.onError((error, c) => {
    if (error instanceof ApiError) return c.json(errorBody(c, error.code, error.message), error.status);
    deps.log.error("request failed", {
      requestId: c.get("requestId"),
      method: c.req.method,
      path: new URL(c.req.url).pathname,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    return c.json(errorBody(c, "internal", "the server failed to answer this request; it has been logged"), 500);
  });
  return app;
}

export type App = ReturnType<typeof createApp>;
