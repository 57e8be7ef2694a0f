import { type DeliveryAttempt, findTheme, type Subscription, searchTerms, type WebhookMessage } from "@eventwire/core";
import {
  createSubscription,
  deleteSubscription,
  pauseSubscription,
  resumeSubscription,
  retryDelivery,
  rotateSecret,
  type SubscriptionFailure,
  type SubscriptionInput,
  sendTestPing,
  updateSubscription,
} from "@eventwire/pipeline";
import { type Context, Hono } from "hono";
import { requireAdmin } from "../auth";
import { baseUrl } from "../base-url";
import { decodeCursor, encodeCursor } from "../cursor";
import type { ApiDeps } from "../deps";
import { ApiError } from "../errors";
import { NO_SEARCH_WORD, unknownTheme } from "../listing";
import { NO_QUERY } from "../schemas/parameters";
import { DELIVERIES_QUERY, MESSAGES_QUERY, NEW_SUBSCRIPTION, SUBSCRIPTION_PATCH } from "../schemas/subscriptions";
import { parseJsonBody, parseQuery } from "../validate";

const SUBSCRIPTION_ID = /^sub_[0-9a-f]{32}$/;
const MESSAGE_ID = /^msg_[0-9a-f]{32}$/;

/** A subscription as the API shows it: never its secrets. */
function subscriptionJson(subscription: Subscription, base: string, now: Date) {
  const { secrets, startSeq: _startSeq, ...shown } = subscription;
  const previous = secrets.find((entry) => entry.expiresAt !== null && entry.expiresAt > now.toISOString());
  return {
    ...shown,
    secretRotation: previous?.expiresAt ? { previousSecretExpiresAt: previous.expiresAt } : null,
    deliveries: `${base}/api/v1/subscriptions/${subscription.id}/deliveries`,
    messages: `${base}/api/v1/subscriptions/${subscription.id}/messages`,
  };
}

function attemptJson(attempt: DeliveryAttempt) {
  const { messageId, subscriptionId: _subscriptionId, ...rest } = attempt;
  return { deliveryId: messageId, ...rest };
}

function messageJson(message: WebhookMessage) {
  return {
    id: message.id,
    type: message.type,
    createdAt: message.createdAt,
    state: message.state,
    attempts: message.attempts,
    nextAttemptAt: message.state === "pending" ? message.dueAt : null,
    lastStatusCode: message.lastStatusCode,
    lastError: message.lastError,
    deliveredAt: message.deliveredAt,
    payload: JSON.parse(message.body) as Record<string, unknown>,
  };
}

/** Maps a use case's failure to the error the client sees. */
function fail(failure: SubscriptionFailure): never {
  if (failure.kind === "not_found") throw new ApiError(404, "not_found", failure.message);
  if (failure.kind === "conflict") throw new ApiError(409, "conflict", failure.message);
  throw new ApiError(400, "invalid_body", failure.field ? `field "${failure.field}": ${failure.message}` : failure.message);
}

/**
 * The filter checks that need the server's themes and the search's reading of words, as the
 * listings make them: an unknown theme, or a keyword with no word that is searched for, would
 * otherwise make a subscription that never hears of anything.
 */
function checkFilter(deps: ApiDeps, filter: SubscriptionInput["filter"]): void {
  const refuse = (field: string, message: string) => new ApiError(400, "invalid_body", `field "filter.${field}": ${message}`);
  if (filter?.theme !== undefined && findTheme(deps.config.themes, filter.theme) === undefined) {
    throw refuse("theme", unknownTheme(deps, filter.theme));
  }
  for (const [index, keyword] of (filter?.keywords ?? []).entries()) {
    if (searchTerms(keyword).length === 0) throw refuse(`keywords[${index}]`, `"${keyword}" has ${NO_SEARCH_WORD}`);
  }
}

function subscriptionId(c: Context): string {
  const id = c.req.param("id") ?? "";
  if (!SUBSCRIPTION_ID.test(id)) throw new ApiError(404, "not_found", `no subscription has the id "${id}"`);
  return id;
}

/** /api/v1/subscriptions: webhook endpoints, their secrets, delivery log and catch-up; all need the admin key. */
export function subscriptionRoutes(deps: ApiDeps) {
  const json = (c: Context, subscription: Subscription) => subscriptionJson(subscription, baseUrl(c, deps), deps.now());
  const load = async (c: Context) => {
    const id = subscriptionId(c);
    const subscription = await deps.store.webhooks.getSubscription(id);
    if (subscription === null) throw new ApiError(404, "not_found", `no subscription has the id "${id}"`);
    return subscription;
  };
  return new Hono()
    .use(requireAdmin(deps))
    .get("/", async (c) => {
      parseQuery(c, NO_QUERY);
      const subscriptions = await deps.store.webhooks.listSubscriptions();
      return c.json({ items: subscriptions.map((subscription) => json(c, subscription)) });
    })
    .post("/", async (c) => {
      const body = await parseJsonBody(c, NEW_SUBSCRIPTION);
      checkFilter(deps, body.filter);
      const result = await createSubscription(deps, body);
      if (!result.ok) fail(result);
      c.header("Location", `/api/v1/subscriptions/${result.subscription.id}`);
      return c.json({ ...json(c, result.subscription), secret: result.secret }, 201);
    })
    .get("/:id", async (c) => {
      parseQuery(c, NO_QUERY);
      return c.json(json(c, await load(c)));
    })
    .patch("/:id", async (c) => {
      const id = subscriptionId(c);
      const patch = await parseJsonBody(c, SUBSCRIPTION_PATCH);
      checkFilter(deps, patch.filter);
      const result = await updateSubscription(deps, id, patch);
      if (!result.ok) fail(result);
      return c.json(json(c, result.subscription));
    })
    .delete("/:id", async (c) => {
      const id = subscriptionId(c);
      if (!(await deleteSubscription(deps, id))) throw new ApiError(404, "not_found", `no subscription has the id "${id}"`);
      return c.body(null, 204);
    })
    .post("/:id/pause", async (c) => {
      const result = await pauseSubscription(deps, subscriptionId(c));
      if (!result.ok) fail(result);
      return c.json(json(c, result.subscription));
    })
    .post("/:id/resume", async (c) => {
      const result = await resumeSubscription(deps, subscriptionId(c));
      if (!result.ok) fail(result);
      return c.json({ ...json(c, result.subscription), requeued: result.requeued });
    })
    .post("/:id/rotate-secret", async (c) => {
      const result = await rotateSecret(deps, subscriptionId(c));
      if (!result.ok) fail(result);
      return c.json({
        secret: result.secret,
        previousSecretExpiresAt: result.previousExpiresAt,
        subscription: json(c, result.subscription),
      });
    })
    .post("/:id/test", async (c) => {
      const result = await sendTestPing(deps, subscriptionId(c));
      if (!result.ok) fail(result);
      return c.json({ deliveryId: result.messageId, attempt: result.attempt });
    })
    .get("/:id/deliveries", async (c) => {
      const query = parseQuery(c, DELIVERIES_QUERY);
      const subscription = await load(c);
      const scope = `deliveries:${subscription.id}`;
      const before =
        query.cursor === undefined ? null : (decodeCursor(deps.config.cursorSecret, scope, query.cursor).before ?? null);
      const page = await deps.store.webhooks.listAttempts(subscription.id, { limit: query.limit, before });
      return c.json({
        items: page.items.map(attemptJson),
        nextCursor: page.next === null ? null : encodeCursor(deps.config.cursorSecret, scope, { before: page.next }),
      });
    })
    .get("/:id/messages", async (c) => {
      const query = parseQuery(c, MESSAGES_QUERY);
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
}

/** POST /api/v1/deliveries/{id}/retry: send a message again now. */
export function deliveryRoutes(deps: ApiDeps) {
  return new Hono().post("/:id/retry", requireAdmin(deps), async (c) => {
    const id = c.req.param("id");
    if (!MESSAGE_ID.test(id)) throw new ApiError(404, "not_found", `no delivery has the id "${id}"`);
    const result = await retryDelivery(deps, id);
    if (!result.ok) fail(result);
    return c.json({ deliveryId: id, attempt: result.attempt });
  });
}
