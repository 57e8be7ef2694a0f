import { subscriptions } from "@eventwire/pipeline";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import { requireAdmin } from "../auth";
import { baseUrl } from "../base-url";
import { decodeCursor, encodeCursor } from "../cursor";
import type { ApiDeps } from "../deps";
import { ApiError } from "../errors";
import { ADMIN, answers, jsonRequest, pathParameters } from "../openapi/answers";
import { mountRoute } from "../openapi/route";
import { NO_QUERY } from "../schemas/parameters";
import {
  ATTEMPT_PAGE,
  ATTEMPT_RESULT,
  DELIVERIES_QUERY,
  MESSAGE_PAGE,
  MESSAGES_QUERY,
  NEW_SUBSCRIPTION,
  SECRET_ROTATED,
  SUBSCRIPTION,
  SUBSCRIPTION_CREATED,
  SUBSCRIPTION_LIST,
  SUBSCRIPTION_PATCH,
  SUBSCRIPTION_RESUMED,
} from "../schemas/subscriptions";
import { attemptJson, checkFilter, fail, messageJson, subscriptionJson } from "../subscription-json";

const SUBSCRIPTION_ID = /^sub_[0-9a-f]{32}$/;
const MESSAGE_ID = /^msg_[0-9a-f]{32}$/;

function subscriptionId(c: Context): string {
  const id = c.req.param("id") ?? "";
  if (!SUBSCRIPTION_ID.test(id)) throw new ApiError(404, "not_found", `no subscription has the id "${id}"`);
  return id;
}

/** A malformed id is a 404 before the body is read. */
const knownIdForm: MiddlewareHandler = async (c, next) => {
  subscriptionId(c);
  await next();
};

const ID = { params: pathParameters({ id: "subscription id (sub_ and 32 hex digits)" }) };

const WEBHOOKS = { tags: ["webhooks"], security: ADMIN };
/** The errors of a route on one subscription: no key (401), no such id (404), management off (503). */
const ON_ONE = [401, 404, 503];

const listSubscriptionsRoute = createRoute({
  method: "get",
  path: "/",
  operationId: "listSubscriptions",
  ...WEBHOOKS,
  summary: "Every webhook subscription (never its secrets)",
  request: { query: NO_QUERY },
  responses: answers({ ok: { description: "the subscriptions", schema: SUBSCRIPTION_LIST }, errors: [400, 401, 503] }),
});

const createSubscriptionRoute = createRoute({
  method: "post",
  path: "/",
  operationId: "createSubscription",
  ...WEBHOOKS,
  summary: "Register an endpoint; the answer shows its signing secret, once",
  description:
    "The URL must be https and resolve only to public addresses (loopback, private, link-local, CGNAT and the cloud metadata address are refused; the address is checked again on every send). Messages follow Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature`.",
  request: { body: jsonRequest(NEW_SUBSCRIPTION) },
  responses: answers({
    ok: { status: 201, description: "created, with `secret`", schema: SUBSCRIPTION_CREATED },
    errors: [400, 401, 503],
    body: true,
  }),
});

const getSubscriptionRoute = createRoute({
  method: "get",
  path: "/{id}",
  operationId: "getSubscription",
  ...WEBHOOKS,
  summary: "One subscription, its state and why it was disabled",
  request: { ...ID, query: NO_QUERY },
  responses: answers({ ok: { description: "the subscription", schema: SUBSCRIPTION }, errors: [400, ...ON_ONE] }),
});

const updateSubscriptionRoute = createRoute({
  method: "patch",
  path: "/{id}",
  operationId: "updateSubscription",
  ...WEBHOOKS,
  summary: "Change the URL, types, description or filter",
  middleware: [knownIdForm],
  request: { ...ID, body: jsonRequest(SUBSCRIPTION_PATCH) },
  responses: answers({
    ok: { description: "the subscription", schema: SUBSCRIPTION },
    errors: [400, ...ON_ONE],
    body: true,
  }),
});

const deleteSubscriptionRoute = createRoute({
  method: "delete",
  path: "/{id}",
  operationId: "deleteSubscription",
  ...WEBHOOKS,
  summary: "Delete a subscription (its undelivered messages are cancelled)",
  request: ID,
  responses: answers({ ok: { status: 204, description: "deleted" }, errors: ON_ONE }),
});

const pauseSubscriptionRoute = createRoute({
  method: "post",
  path: "/{id}/pause",
  operationId: "pauseSubscription",
  ...WEBHOOKS,
  summary: "Hold deliveries (messages are still made and kept)",
  request: ID,
  responses: answers({ ok: { description: "the subscription", schema: SUBSCRIPTION }, errors: [409, ...ON_ONE] }),
});

const resumeSubscriptionRoute = createRoute({
  method: "post",
  path: "/{id}/resume",
  operationId: "resumeSubscription",
  ...WEBHOOKS,
  summary: "Deliver again: held messages are sent, a disabled subscription is enabled",
  request: ID,
  responses: answers({
    ok: { description: "the subscription, and how many held messages are due again", schema: SUBSCRIPTION_RESUMED },
    errors: [409, ...ON_ONE],
  }),
});

const rotateSecretRoute = createRoute({
  method: "post",
  path: "/{id}/rotate-secret",
  operationId: "rotateSubscriptionSecret",
  ...WEBHOOKS,
  summary: "A new signing secret; the old one signs too for 24 hours",
  request: ID,
  responses: answers({ ok: { description: "the new secret, shown once", schema: SECRET_ROTATED }, errors: ON_ONE }),
});

const testSubscriptionRoute = createRoute({
  method: "post",
  path: "/{id}/test",
  operationId: "testSubscription",
  ...WEBHOOKS,
  summary: "Send a signed `ping` now and answer with the attempt",
  request: ID,
  responses: answers({ ok: { description: "the attempt", schema: ATTEMPT_RESULT }, errors: ON_ONE }),
});

const listDeliveriesRoute = createRoute({
  method: "get",
  path: "/{id}/deliveries",
  operationId: "listSubscriptionDeliveries",
  ...WEBHOOKS,
  summary: "The delivery log: every attempt, newest first (kept 30 days)",
  request: { ...ID, query: DELIVERIES_QUERY },
  responses: answers({ ok: { description: "a page of attempts", schema: ATTEMPT_PAGE }, errors: [400, ...ON_ONE] }),
});

const listMessagesRoute = createRoute({
  method: "get",
  path: "/{id}/messages",
  operationId: "listSubscriptionMessages",
  ...WEBHOOKS,
  summary: "Catch up: every message made for the subscription, in order, delivered or not",
  description:
    "Messages are kept while the endpoint is down, paused or disabled. Pass the answer's `nextAfter` as `after` to read on; an empty page keeps the same `nextAfter`, so polling with it sees new messages once.",
  request: { ...ID, query: MESSAGES_QUERY },
  responses: answers({ ok: { description: "a page of messages", schema: MESSAGE_PAGE }, errors: [400, ...ON_ONE] }),
});

/** /api/v1/subscriptions: webhook endpoints, their secrets, delivery log and catch-up; all need the admin key. */
export function subscriptionRoutes(deps: ApiDeps) {
  const json = (c: Context, subscription: Parameters<typeof subscriptionJson>[0]) =>
    subscriptionJson(subscription, baseUrl(c, deps), deps.now());
  const load = async (c: Context) => {
    const id = subscriptionId(c);
    const subscription = await deps.store.webhooks.getSubscription(id);
    if (subscription === null) throw new ApiError(404, "not_found", `no subscription has the id "${id}"`);
    return subscription;
  };
  const app = new OpenAPIHono();
  // Every path under it, routes or not: without the key, a 401 before anything else.
  app.use(requireAdmin(deps));
  mountRoute(app, listSubscriptionsRoute, async (c) => {
    const all = await deps.store.webhooks.listSubscriptions();
    return c.json({ items: all.map((subscription) => json(c, subscription)) });
  });
  mountRoute(app, createSubscriptionRoute, async (c) => {
    const body = c.req.valid("json");
    checkFilter(deps, body.filter);
    const result = await subscriptions.createSubscription(deps, body);
    if (!result.ok) fail(result);
    c.header("Location", `/api/v1/subscriptions/${result.subscription.id}`);
    return c.json({ ...json(c, result.subscription), secret: result.secret }, 201);
  });
  mountRoute(app, getSubscriptionRoute, async (c) => c.json(json(c, await load(c))));
  mountRoute(app, updateSubscriptionRoute, async (c) => {
    const id = subscriptionId(c);
    const patch = c.req.valid("json");
    checkFilter(deps, patch.filter);
    const result = await subscriptions.updateSubscription(deps, id, patch);
    if (!result.ok) fail(result);
    return c.json(json(c, result.subscription));
  });
  mountRoute(app, deleteSubscriptionRoute, async (c) => {
    const id = subscriptionId(c);
    if (!(await subscriptions.deleteSubscription(deps, id)))
      throw new ApiError(404, "not_found", `no subscription has the id "${id}"`);
    return c.body(null, 204);
  });
  mountRoute(app, pauseSubscriptionRoute, async (c) => {
    const result = await subscriptions.pauseSubscription(deps, subscriptionId(c));
    if (!result.ok) fail(result);
    return c.json(json(c, result.subscription));
  });
  mountRoute(app, resumeSubscriptionRoute, async (c) => {
    const result = await subscriptions.resumeSubscription(deps, subscriptionId(c));
    if (!result.ok) fail(result);
    return c.json({ ...json(c, result.subscription), requeued: result.requeued });
  });
  mountRoute(app, rotateSecretRoute, async (c) => {
    const result = await subscriptions.rotateSecret(deps, subscriptionId(c));
    if (!result.ok) fail(result);
    return c.json({
      secret: result.secret,
      previousSecretExpiresAt: result.previousExpiresAt,
      subscription: json(c, result.subscription),
    });
  });
  mountRoute(app, testSubscriptionRoute, async (c) => {
    const result = await subscriptions.sendTestPing(deps, subscriptionId(c));
    if (!result.ok) fail(result);
    return c.json({ deliveryId: result.messageId, attempt: result.attempt });
  });
  mountRoute(app, listDeliveriesRoute, async (c) => {
    const query = c.req.valid("query");
    const subscription = await load(c);
    const scope = `deliveries:${subscription.id}`;
    const before =
      query.cursor === undefined ? null : (decodeCursor(deps.config.cursorSecret, scope, query.cursor).before ?? null);
    const page = await deps.store.webhooks.listAttempts(subscription.id, { limit: query.limit, before });
    return c.json({
      items: page.items.map(attemptJson),
      nextCursor: page.next === null ? null : encodeCursor(deps.config.cursorSecret, scope, { before: page.next }),
    });
  });
  mountRoute(app, listMessagesRoute, async (c) => {
    const query = c.req.valid("query");
    const subscription = await load(c);
    const scope = `messages:${subscription.id}`;
    const after =
      query.after === undefined ? null : (decodeCursor(deps.config.cursorSecret, scope, query.after, "after").after ?? null);
    const messages = await deps.store.webhooks.listMessages(subscription.id, { after, limit: query.limit });
    const last = messages.at(-1)?.position ?? after;
    return c.json({
      items: messages.map(messageJson),
      nextAfter: last === null ? null : encodeCursor(deps.config.cursorSecret, scope, { after: last }),
    });
  });
  return app;
}

/** POST /api/v1/deliveries/{id}/retry: send a message again now. */
export function deliveryRoutes(deps: ApiDeps) {
  const retryDeliveryRoute = createRoute({
    method: "post",
    path: "/{id}/retry",
    operationId: "retryDelivery",
    ...WEBHOOKS,
    summary: "Send one message again now (same webhook-id)",
    middleware: [requireAdmin(deps)],
    request: { params: pathParameters({ id: "delivery id: the message id (msg_ and 32 hex digits)" }) },
    responses: answers({ ok: { description: "the attempt", schema: ATTEMPT_RESULT }, errors: [409, ...ON_ONE] }),
  });
  const app = new OpenAPIHono();
  mountRoute(app, retryDeliveryRoute, async (c) => {
    const id = c.req.param("id");
    if (!MESSAGE_ID.test(id)) throw new ApiError(404, "not_found", `no delivery has the id "${id}"`);
    const result = await subscriptions.retryDelivery(deps, id);
    if (!result.ok) fail(result);
    return c.json({ deliveryId: id, attempt: result.attempt });
  });
  return app;
}
