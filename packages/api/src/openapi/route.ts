import { type OpenAPIHono, type RouteConfig, type RouteHandler, z } from "@hono/zod-openapi";
import type { Context, Handler, MiddlewareHandler } from "hono";
import { ApiError } from "../errors";
import { type CachedBody, cachedGet, servedFresh } from "../http-cache";
import { parseJsonBody, parseQuery } from "../validate";

// A route is one `createRoute` object: its path, inputs, answers and security. `mountRoute` serves
// it and lists it in the app's OpenAPI registry, so /openapi.json is generated from the very
// schemas that validate requests, and a route cannot exist undocumented or drift from its docs.

/** A route's handler: it reads what the route's schemas validated with `c.req.valid(…)`. */
type RouteHandlerOf<R extends RouteConfig> =
  RouteHandler<R> extends Handler<infer E, infer P, infer I, infer _Typed>
    ? Handler<E, P, I, Response | Promise<Response>>
    : never;

// Any OpenAPIHono, whatever its variables and routes so far.
// biome-ignore lint/suspicious/noExplicitAny: the registry and `openapi` do not depend on the app's types.
type AnyApp = OpenAPIHono<any, any, any>;

/** The zod schema of a route's JSON body, if it reads one. */
function jsonBodySchema(route: RouteConfig): z.ZodType | undefined {
  const media = route.request?.body?.content["application/json"];
  const schema = media !== undefined && "schema" in media ? media.schema : undefined;
  return schema instanceof z.ZodType ? schema : undefined;
}

/**
 * What a failed validation answers: the API's own 400, in the words of validate.ts. The library
 * has already parsed and failed; the query is read again with the API's rules, which name the
 * parameter and the form it takes (and a parameter given twice), never zod's phrasing.
 */
function refuseInWords(route: RouteConfig) {
  return (result: { success: boolean; target: string }, c: Context): void => {
    if (result.success) return;
    const query = route.request?.query;
    if (result.target === "query" && query instanceof z.ZodObject) parseQuery(c, query);
    // Nothing else is validated by the library: path parameters are taken as text, and a JSON
    // body is read by readJsonBody.
    throw new ApiError(400, "invalid_parameter", `the request's ${result.target} is not in the form this route takes`);
  };
}

/**
 * A JSON body read and validated by `parseJsonBody` (415 for a body not sent as JSON, 400 for
 * one that is not JSON or breaks the schema, in the API's words), then handed to the route as
 * `c.req.valid("json")`. The library's own body check is not used: it refuses some JSON media
 * types the API takes (`application/vnd.example.v2+json`) and answers in its own words.
 */
function readJsonBody(schema: z.ZodType): MiddlewareHandler {
  return async (c, next) => {
    c.req.addValidatedData("json", (await parseJsonBody(c, schema)) as object);
    await next();
  };
}

const asList = (middleware: RouteConfig["middleware"]): MiddlewareHandler[] =>
  middleware === undefined ? [] : Array.isArray(middleware) ? middleware : [middleware as MiddlewareHandler];

/** The route as the document lists it: without what only serving it needs. */
function documented(route: RouteConfig): RouteConfig {
  const { middleware: _middleware, hide: _hide, ...rest } = route;
  return rest as RouteConfig;
}

/**
 * Serves `route` on `app` with `handler` and lists it in the app's document. The route's own
 * middleware runs first (the admin key, an id check), then its JSON body is read and its query
 * validated; any refusal is the API's JSON error.
 */
export function mountRoute<R extends RouteConfig>(app: AnyApp, route: R, handler: RouteHandlerOf<R>): void {
  const hook = refuseInWords(route) as never;
  const body = jsonBodySchema(route);
  if (body === undefined) {
    app.openapi(route, handler as never, hook);
    return;
  }
  app.openAPIRegistry.registerPath(documented(route));
  const { body: _read, ...request } = route.request ?? {};
  const served = { ...route, hide: true, request, middleware: [...asList(route.middleware), readJsonBody(body)] };
  app.openapi(served as RouteConfig, handler as never, hook);
}

/**
 * Serves a public read: `load` renders the answer, kept in the response cache when there is one.
 * A fresh kept answer is sent before the route's validation runs: it was made for a request
 * that passed it, so a hit (most requests) validates nothing again.
 */
export function mountCachedRoute<R extends RouteConfig>(
  app: AnyApp,
  deps: Parameters<typeof servedFresh>[0],
  route: R,
  load: (c: Parameters<RouteHandlerOf<R>>[0]) => Promise<CachedBody>,
): void {
  const served = { ...route, middleware: [servedFresh(deps), ...asList(route.middleware)] };
  mountRoute(app, served, cachedGet(deps, load as never) as never);
}

/**
 * Lists a route in the app's document that the app serves under another pattern: the feeds,
 * whose paths put two parameters in one segment (`{theme}.{format}`), which Hono's router does
 * not match. Their handlers validate the query with the route's own schema.
 */
export function documentRoute(app: AnyApp, route: RouteConfig): void {
  app.openAPIRegistry.registerPath(documented(route));
}
