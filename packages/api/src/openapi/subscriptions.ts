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
} from "../schemas/subscriptions";
import type { Operation } from "./operation";

const SUBSCRIPTION_PARAMETER = { id: "subscription id (sub_ and 32 hex digits)" };

/** The webhook management routes: all need the admin key. */
export function subscriptionOperations(): Operation[] {
  const admin = (operation: Omit<Operation, "tag" | "admin" | "errors"> & { errors?: number[] }): Operation => ({
    tag: "webhooks",
    admin: true,
    ...operation,
    errors: operation.errors ?? [401, 404, 503],
  });
  return [
    admin({
      method: "get",
      path: "/api/v1/subscriptions",
      summary: "Every webhook subscription (never its secrets)",
      query: NO_QUERY,
      ok: { status: 200, description: "the subscriptions", schema: SUBSCRIPTION_LIST },
      errors: [400, 401, 503],
    }),
    admin({
      method: "post",
      path: "/api/v1/subscriptions",
      summary: "Register an endpoint; the answer shows its signing secret, once",
      description:
        "The URL must be https and resolve only to public addresses (loopback, private, link-local, CGNAT and the cloud metadata address are refused; the address is checked again on every send). Messages follow Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature`.",
      body: NEW_SUBSCRIPTION,
      ok: { status: 201, description: "created, with `secret`", schema: SUBSCRIPTION_CREATED },
      errors: [400, 401, 503],
    }),
    admin({
      method: "get",
      path: "/api/v1/subscriptions/{id}",
      summary: "One subscription, its state and why it was disabled",
      pathParameters: SUBSCRIPTION_PARAMETER,
      query: NO_QUERY,
      ok: { status: 200, description: "the subscription", schema: SUBSCRIPTION },
    }),
    admin({
      method: "patch",
      path: "/api/v1/subscriptions/{id}",
      summary: "Change the URL, types, description or filter",
      pathParameters: SUBSCRIPTION_PARAMETER,
      body: SUBSCRIPTION_PATCH,
      ok: { status: 200, description: "the subscription", schema: SUBSCRIPTION },
      errors: [400, 401, 404, 503],
    }),
    admin({
      method: "delete",
      path: "/api/v1/subscriptions/{id}",
      summary: "Delete a subscription (its undelivered messages are cancelled)",
      pathParameters: SUBSCRIPTION_PARAMETER,
      ok: { status: 204, description: "deleted", mediaTypes: [] },
    }),
    ...(["pause", "resume"] as const).map((action) =>
      admin({
        method: "post",
        path: `/api/v1/subscriptions/{id}/${action}`,
        summary:
          action === "pause"
            ? "Hold deliveries (messages are still made and kept)"
            : "Deliver again: held messages are sent, a disabled subscription is enabled",
        pathParameters: SUBSCRIPTION_PARAMETER,
        ok: { status: 200, description: "the subscription", schema: SUBSCRIPTION },
        errors: [401, 404, 409, 503],
      }),
    ),
    admin({
      method: "post",
      path: "/api/v1/subscriptions/{id}/rotate-secret",
      summary: "A new signing secret; the old one signs too for 24 hours",
      pathParameters: SUBSCRIPTION_PARAMETER,
      ok: { status: 200, description: "the new secret, shown once", schema: SECRET_ROTATED },
    }),
    admin({
      method: "post",
      path: "/api/v1/subscriptions/{id}/test",
      summary: "Send a signed `ping` now and answer with the attempt",
      pathParameters: SUBSCRIPTION_PARAMETER,
      ok: { status: 200, description: "the attempt", schema: ATTEMPT_RESULT },
    }),
    admin({
      method: "get",
      path: "/api/v1/subscriptions/{id}/deliveries",
      summary: "The delivery log: every attempt, newest first (kept 30 days)",
      pathParameters: SUBSCRIPTION_PARAMETER,
      query: DELIVERIES_QUERY,
      ok: { status: 200, description: "a page of attempts", schema: ATTEMPT_PAGE },
      errors: [400, 401, 404, 503],
    }),
    admin({
      method: "get",
      path: "/api/v1/subscriptions/{id}/messages",
      summary: "Catch up: every message made for the subscription, in order, delivered or not",
      description:
        "Messages are kept while the endpoint is down, paused or disabled. Pass the answer's `nextAfter` as `after` to read on; an empty page keeps the same `nextAfter`, so polling with it sees new messages once.",
      pathParameters: SUBSCRIPTION_PARAMETER,
      query: MESSAGES_QUERY,
      ok: { status: 200, description: "a page of messages", schema: MESSAGE_PAGE },
      errors: [400, 401, 404, 503],
    }),
    admin({
      method: "post",
      path: "/api/v1/deliveries/{id}/retry",
      summary: "Send one message again now (same webhook-id)",
      pathParameters: { id: "delivery id: the message id (msg_ and 32 hex digits)" },
      ok: { status: 200, description: "the attempt", schema: ATTEMPT_RESULT },
      errors: [401, 404, 409, 503],
    }),
  ];
}
