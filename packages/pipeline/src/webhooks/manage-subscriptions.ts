import { randomUUID } from "node:crypto";
import {
  generateSecret,
  type SigningSecret,
  type SubscribedType,
  type Subscription,
  type SubscriptionFilter,
} from "@eventwire/core";
import { firstTheme, type PipelineDeps } from "../deps";
import { createUrlGuard, UrlRefusedError } from "../url-guard";
import { type AttemptReport, attemptNow } from "./attempt-delivery";
import { pingMessage } from "./new-message";

/** Old secrets keep signing this long after a rotation, so receivers can switch without a gap. */
export const SECRET_OVERLAP_MS = 24 * 3_600_000;

export type SubscriptionInput = {
  url: string;
  types: SubscribedType[];
  description?: string | null | undefined;
  filter?: Partial<SubscriptionFilter> | undefined;
};

export type SubscriptionFailure = { ok: false; kind: "invalid" | "not_found" | "conflict"; field?: string; message: string };

/**
 * Checks an endpoint URL: absolute http(s), https unless private addresses are allowed (local
 * receivers), and every address it resolves to public. The message names what was wrong.
 */
export async function checkEndpointUrl(deps: PipelineDeps, raw: string): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `"${raw}" is not an absolute URL`;
  }
  const guard = createUrlGuard({
    allowPrivate: deps.config.webhooks.allowPrivateUrls,
    resolve: deps.resolveHost,
    target: "receivers",
  });
  try {
    await guard.check(url);
  } catch (error) {
    if (error instanceof UrlRefusedError) return `"${raw}" is refused: ${error.message}`;
    throw error;
  }
  if (url.protocol !== "https:" && !deps.config.webhooks.allowPrivateUrls) {
    return `"${raw}" must use https (http is only allowed with EVENTWIRE_ALLOW_PRIVATE_URLS=true, for local receivers)`;
  }
  return null;
}

function fullFilter(deps: PipelineDeps, filter: Partial<SubscriptionFilter> | undefined): SubscriptionFilter {
  return {
    theme: filter?.theme ?? firstTheme(deps).id,
    eventIds: filter?.eventIds ?? null,
    entities: filter?.entities ?? null,
    keywords: filter?.keywords ?? null,
    minSources: filter?.minSources ?? null,
  };
}

/** A new subscription, answered with its signing secret (shown this once). */
export async function createSubscription(
  deps: PipelineDeps,
  input: SubscriptionInput,
): Promise<{ ok: true; subscription: Subscription; secret: string } | SubscriptionFailure> {
  const problem = await checkEndpointUrl(deps, input.url);
  if (problem !== null) return { ok: false, kind: "invalid", field: "url", message: problem };
  const filter = fullFilter(deps, input.filter);
  const now = deps.now().toISOString();
  const secret = generateSecret();
  const subscription: Subscription = {
    id: `sub_${randomUUID().replace(/-/g, "")}`,
    url: new URL(input.url).toString(),
    description: input.description ?? null,
    types: [...new Set(input.types)],
    filter,
    state: "active",
    disabledReason: null,
    disabledAt: null,
    failingSince: null,
    lastSuccessAt: null,
    secrets: [{ secret, createdAt: now, expiresAt: null }],
    startSeq: await deps.store.changes.sequence(filter.theme),
    createdAt: now,
    updatedAt: now,
  };
  if (!(await deps.store.webhooks.createSubscription(subscription))) {
    return { ok: false, kind: "conflict", message: `subscription id ${subscription.id} is taken` };
  }
  return { ok: true, subscription, secret };
}

const notFound = (id: string): SubscriptionFailure => ({
  ok: false,
  kind: "not_found",
  message: `no subscription has the id "${id}"`,
});

/** Changes a subscription's URL, types, description or filter (fields left out stay as they are). */
export async function updateSubscription(
  deps: PipelineDeps,
  id: string,
  patch: Partial<SubscriptionInput>,
): Promise<{ ok: true; subscription: Subscription } | SubscriptionFailure> {
  const current = await deps.store.webhooks.getSubscription(id);
  if (current === null) return notFound(id);
  if (patch.url !== undefined) {
    const problem = await checkEndpointUrl(deps, patch.url);
    if (problem !== null) return { ok: false, kind: "invalid", field: "url", message: problem };
  }
  const fields: Partial<Subscription> = { updatedAt: deps.now().toISOString() };
  if (patch.url !== undefined) fields.url = new URL(patch.url).toString();
  if (patch.types !== undefined) fields.types = [...new Set(patch.types)];
  if (patch.description !== undefined) fields.description = patch.description;
  if (patch.filter !== undefined) fields.filter = fullFilter(deps, { ...current.filter, ...patch.filter });
  const updated = await deps.store.webhooks.updateSubscription(id, fields);
  return updated === null ? notFound(id) : { ok: true, subscription: updated };
}

/** A new signing secret; the ones before it keep signing for 24 hours. */
export async function rotateSecret(
  deps: PipelineDeps,
  id: string,
): Promise<{ ok: true; subscription: Subscription; secret: string; previousExpiresAt: string } | SubscriptionFailure> {
  const current = await deps.store.webhooks.getSubscription(id);
  if (current === null) return notFound(id);
  const now = deps.now();
  const previousExpiresAt = new Date(now.getTime() + SECRET_OVERLAP_MS).toISOString();
  const secret = generateSecret();
  const secrets: SigningSecret[] = [
    { secret, createdAt: now.toISOString(), expiresAt: null },
    ...current.secrets
      .filter((entry) => entry.expiresAt === null || entry.expiresAt > now.toISOString())
      .map((entry) => ({ ...entry, expiresAt: entry.expiresAt ?? previousExpiresAt })),
  ];
  const updated = await deps.store.webhooks.updateSubscription(id, { secrets, updatedAt: now.toISOString() });
  return updated === null ? notFound(id) : { ok: true, subscription: updated, secret, previousExpiresAt };
}

/** Pauses deliveries: messages are still made and kept (held) for when it resumes. */
export async function pauseSubscription(
  deps: PipelineDeps,
  id: string,
): Promise<{ ok: true; subscription: Subscription } | SubscriptionFailure> {
  const updated = await deps.store.webhooks.updateSubscription(id, { state: "paused", updatedAt: deps.now().toISOString() }, [
    "active",
    "paused",
  ]);
  if (updated !== null) return { ok: true, subscription: updated };
  const current = await deps.store.webhooks.getSubscription(id);
  if (current === null) return notFound(id);
  return { ok: false, kind: "conflict", message: `subscription "${id}" is ${current.state}: resume it to enable it again` };
}

/**
 * Resumes (or re-enables a disabled) subscription: its held messages are due at once, oldest
 * first, and its failure record starts afresh.
 */
export async function resumeSubscription(
  deps: PipelineDeps,
  id: string,
): Promise<{ ok: true; subscription: Subscription; requeued: number } | SubscriptionFailure> {
  const now = deps.now();
  const updated = await deps.store.webhooks.updateSubscription(id, {
    state: "active",
    disabledReason: null,
    disabledAt: null,
    failingSince: null,
    updatedAt: now.toISOString(),
  });
  if (updated === null) return notFound(id);
  let requeued = 0;
  for (;;) {
    // The held index may lag; a message it misses now is made due by the next dispatch.
    const held = await deps.store.webhooks.heldMessages(id, 100);
    let moved = 0;
    for (const message of held) if ((await deps.store.webhooks.requeueMessage(message.id, now, true)) !== null) moved += 1;
    requeued += moved;
    if (held.length < 100 || moved === 0) break;
  }
  return { ok: true, subscription: updated, requeued };
}

/** Deletes a subscription; its pending messages are cancelled as the dispatcher meets them. */
export async function deleteSubscription(deps: PipelineDeps, id: string): Promise<boolean> {
  return deps.store.webhooks.deleteSubscription(id);
}

/** Sends a signed `ping` to the subscription now (whatever its state) and answers with the attempt. */
export async function sendTestPing(
  deps: PipelineDeps,
  id: string,
): Promise<{ ok: true; messageId: string; attempt: AttemptReport } | SubscriptionFailure> {
  const subscription = await deps.store.webhooks.getSubscription(id);
  if (subscription === null) return notFound(id);
  const message = pingMessage(subscription, deps.now(), randomUUID());
  const messageId = message.id;
  await deps.store.webhooks.putMessage(message);
  const attempt = await attemptNow(deps, message, { ...subscription, state: "active" });
  if (attempt === null) return { ok: false, kind: "conflict", message: `ping ${messageId} was claimed by a dispatcher` };
  return { ok: true, messageId, attempt };
}

/** Sends a message again now (a failed, held or delivered one; receivers deduplicate on its id). */
export async function retryDelivery(
  deps: PipelineDeps,
  messageId: string,
): Promise<{ ok: true; attempt: AttemptReport } | SubscriptionFailure> {
  const message = await deps.store.webhooks.getMessage(messageId);
  if (message === null) return { ok: false, kind: "not_found", message: `no delivery has the id "${messageId}"` };
  const subscription = await deps.store.webhooks.getSubscription(message.subscriptionId);
  if (subscription === null)
    return { ok: false, kind: "not_found", message: `delivery "${messageId}": its subscription was deleted` };
  if (subscription.state === "paused") {
    return {
      ok: false,
      kind: "conflict",
      message: `delivery "${messageId}": subscription "${subscription.id}" is paused; resume it to send its messages`,
    };
  }
  const requeued = await deps.store.webhooks.requeueMessage(messageId, deps.now());
  if (requeued === null) return { ok: false, kind: "conflict", message: `delivery "${messageId}" is being sent right now` };
  const attempt = await attemptNow(deps, requeued, subscription);
  if (attempt === null) return { ok: false, kind: "conflict", message: `delivery "${messageId}" was claimed by a dispatcher` };
  return { ok: true, attempt };
}
