import { type DeliveryAttempt, findTheme, type Subscription, searchTerms, type WebhookMessage } from "@eventwire/core";
import type { SubscriptionFailure, SubscriptionInput } from "@eventwire/pipeline";
import type { ApiDeps } from "./deps";
import { ApiError } from "./errors";
import { NO_SEARCH_WORD, unknownTheme } from "./listing";

// What the webhook management routes show of subscriptions, attempts and messages, and how they
// turn a use case's failure into the client's error.

/** A subscription as the API shows it: never its secrets. */
export function subscriptionJson(subscription: Subscription, base: string, now: Date) {
  const { secrets, startSeq: _startSeq, ...shown } = subscription;
  const previous = secrets.find((entry) => entry.expiresAt !== null && entry.expiresAt > now.toISOString());
  return {
    ...shown,
    secretRotation: previous?.expiresAt ? { previousSecretExpiresAt: previous.expiresAt } : null,
    deliveries: `${base}/api/v1/subscriptions/${subscription.id}/deliveries`,
    messages: `${base}/api/v1/subscriptions/${subscription.id}/messages`,
  };
}

/** One attempt of the delivery log, named by the message it sent. */
export function attemptJson(attempt: DeliveryAttempt) {
  const { messageId, subscriptionId: _subscriptionId, ...rest } = attempt;
  return { deliveryId: messageId, ...rest };
}

/** One message of the catch-up listing, with the body it was sent with. */
export function messageJson(message: WebhookMessage) {
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
export function fail(failure: SubscriptionFailure): never {
  if (failure.kind === "not_found") throw new ApiError(404, "not_found", failure.message);
  if (failure.kind === "conflict") throw new ApiError(409, "conflict", failure.message);
  throw new ApiError(400, "invalid_body", failure.field ? `field "${failure.field}": ${failure.message}` : failure.message);
}

/**
 * The filter checks that need the server's themes and the search's reading of words, as the
 * listings make them: an unknown theme, or a keyword with no word that is searched for, would
 * otherwise make a subscription that never hears of anything.
 */
export function checkFilter(deps: ApiDeps, filter: SubscriptionInput["filter"]): void {
  const refuse = (field: string, message: string) => new ApiError(400, "invalid_body", `field "filter.${field}": ${message}`);
  if (filter?.theme !== undefined && findTheme(deps.config.themes, filter.theme) === undefined) {
    throw refuse("theme", unknownTheme(deps, filter.theme));
  }
  for (const [index, keyword] of (filter?.keywords ?? []).entries()) {
    if (searchTerms(keyword).length === 0) throw refuse(`keywords[${index}]`, `"${keyword}" has ${NO_SEARCH_WORD}`);
  }
}
