import { hashId, type WebhookMessage } from "@eventwire/core";
import type { Store } from "@eventwire/store";
import { expect } from "vitest";
import { TEST_ADMIN_KEY, type TestDeps } from "./deps";
import { storeStory } from "./events";
import type { WebhookReceiver } from "./webhook-receiver";

// What the webhook test files share: the admin API in-process, a subscription made through it,
// stories stored without the matcher, and messages stored directly.

/** A request to the API with the admin key; the answer's status and JSON body. */
export async function api(deps: TestDeps, method: string, path: string, body?: unknown) {
  const { createApp } = await import("@eventwire/api");
  const response = await createApp(deps).request(path, {
    method,
    headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  // biome-ignore lint/suspicious/noExplicitAny: the tests read answers of many shapes and assert on them
  return { status: response.status, json: text === "" ? null : (JSON.parse(text) as Record<string, any>) };
}

/** Subscribes `receiver` through the API (201 expected); the receiver learns the secret. */
export async function subscribe(deps: TestDeps, receiver: WebhookReceiver, body: Record<string, unknown>) {
  const created = await api(deps, "POST", "/api/v1/subscriptions", { url: receiver.url, ...body });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  receiver.secrets.push(created.json?.secret as string);
  return created.json as { id: string; secret: string };
}

/** A story of two outlets an hour apart. */
export const twoSourceStory = {
  title: "Tabqa dam taken from Islamic State",
  articles: [
    { source: "outlet-a", published: "2026-05-04T08:00:00Z", title: "SDF take Tabqa dam" },
    { source: "outlet-b", published: "2026-05-04T09:00:00Z", title: "Tabqa dam falls to the SDF" },
  ],
};

/** Stores `count` one-article stories: a change each. */
export async function storeStories(deps: TestDeps, count: number) {
  for (let n = 0; n < count; n += 1) {
    await storeStory(deps.store, {
      title: `Story ${n}`,
      articles: [{ source: "outlet-a", published: "2026-05-04T08:00:00Z", title: `Report ${n}` }],
    });
  }
}

/** A pending `event.created` message, due at `now`, numbered `n`. */
export function bulkMessage(subscriptionId: string, id: string, n: number, now: string): WebhookMessage {
  return {
    id,
    subscriptionId,
    type: "event.created",
    body: JSON.stringify({ type: "event.created", timestamp: now, data: { n } }),
    createdAt: now,
    position: `${now}#${String(n).padStart(12, "0")}#000#${id}`,
    state: "pending",
    attempts: 0,
    dueAt: now,
    lastStatusCode: null,
    lastError: null,
    deliveredAt: null,
  };
}

/** A subscription with `count` due messages stored for it, over what `setup` gives. */
export async function storedMessages(
  setup: () => Promise<{ deps: TestDeps; receiver: WebhookReceiver }>,
  name: string,
  count: number,
) {
  const { deps, receiver } = await setup();
  const subscription = await subscribe(deps, receiver, { types: ["event.created"] });
  const now = deps.now().toISOString();
  const messages = Array.from({ length: count }, (_, n) =>
    bulkMessage(subscription.id, `msg_${hashId(name, String(n))}`, n, now),
  );
  await deps.store.webhooks.putMessages(messages);
  return { deps, receiver, subscription, now, messages };
}

/** The same deps over a store some of whose verbs are replaced (to count calls, or to race another writer). */
export function withStoreVerbs(
  deps: TestDeps,
  replaced: { webhooks?: Partial<Store["webhooks"]>; changes?: Partial<Store["changes"]> },
): TestDeps {
  return {
    ...deps,
    store: {
      ...deps.store,
      webhooks: { ...deps.store.webhooks, ...replaced.webhooks },
      changes: { ...deps.store.changes, ...replaced.changes },
    },
  };
}
