import { type DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import type { DeliveryAttempt, WebhookMessage } from "@eventwire/core";
import { attemptItem } from "./attempt-log-repository";
import { batchCalls } from "./batch-calls";
import { sendUpdate, updateInput, updateWhen } from "./conditional-update";
import { batchGetItems, fromPageMark, type PageMark, toPageMark } from "./items";
import { keys } from "./keys";
import { dueIndex, heldIndex, messageFromStoredItem, type NewMessage } from "./message-items";
import { createMessageNumbering, MESSAGES_PER_TRANSACTION, type PutOutcome } from "./message-numbering";
import { queryRangePage } from "./range-query";
import { MAX_TRANSACTION_ITEMS } from "./transaction";
import { writeEach } from "./write-each";

/** Claims written in one transaction at most, and attempt ends (two items each: the log entry and the message). */
const CLAIMS_PER_WRITE = MAX_TRANSACTION_ITEMS;
const FINISHES_PER_WRITE = MAX_TRANSACTION_ITEMS / 2;

type ClaimOf<M> = { message: M; token: string; leaseUntil: Date };

/** A claim on a due message, as read: the lease `token` until `leaseUntil`. */
export type MessageClaim = ClaimOf<WebhookMessage>;

/** The end of one attempt made under lease `token`: its entry in the delivery log and the message's next state. */
export type FinishedAttempt = {
  token: string;
  attempt: DeliveryAttempt;
  result: Pick<WebhookMessage, "state" | "attempts" | "dueAt" | "lastStatusCode" | "lastError" | "deliveredAt">;
};

/** A run's claims and attempt ends, each call answered alone but written with those made at the same moment. */
export type SharedMessageWrites = {
  /** `claimMessages` for one claim. */
  claim(claim: MessageClaim): Promise<WebhookMessage | null>;
  /** `finishAttempts` for one attempt's end. */
  finish(finished: FinishedAttempt): Promise<boolean>;
};

/** Webhook messages, one item each with its delivery state: made, listed, leased, finished, parked and requeued. */
export type MessageRepository = {
  /**
   * Stores a message unless one with its id exists (ids are deterministic, so making the same
   * message twice stores it once), numbered with the subscription's message counter. The
   * counter, the message and its entry in the subscription's listing are written in one
   * transaction that expects the counter unchanged, so numbers follow the order messages are
   * written and no message can appear later behind one a reader has already seen. Pending
   * messages enter the due index, held ones the held index, and claimed (`sending`) ones the due
   * index at their lease's end. "gone": the subscription was deleted.
   */
  putMessage(message: NewMessage): Promise<PutOutcome>;
  /**
   * `putMessage` for many messages of one subscription, in order: numbered in runs of up to
   * 49 a transaction (with the counter, 99 of DynamoDB's 100 items), one outcome a message.
   */
  putMessages(messages: readonly NewMessage[]): Promise<PutOutcome[]>;
  getMessage(id: string): Promise<WebhookMessage | null>;
  /**
   * A subscription's messages after `position` (null: from the first), in the order they were
   * written. Read with strong consistency from the subscription's own partition, so a page
   * shows every message written before it was read.
   */
  listMessages(subscriptionId: string, request: { after: string | null; limit: number }): Promise<WebhookMessage[]>;
  /** Up to `limit` held messages, of one subscription or of all, in order. */
  heldMessages(subscriptionId: string | null, limit: number): Promise<WebhookMessage[]>;
  /**
   * A page of up to `limit` messages whose next attempt (or expired lease) is due at `now`, the
   * longest waiting first, from `after` (a `next` of an earlier page; null: the first).
   */
  dueMessages(now: Date, limit: number, after?: PageMark | null): Promise<{ items: WebhookMessage[]; next: PageMark | null }>;
  /**
   * Takes the lease on a due message: only if it is still due at the time it was read
   * (`message.dueAt`), so of two dispatchers that read it, one wins. The lease runs out at
   * `leaseUntil`, when the message is due again (a dispatcher that died mid-send).
   */
  claimMessage(
    message: Pick<WebhookMessage, "id" | "dueAt" | "attempts">,
    token: string,
    leaseUntil: Date,
  ): Promise<WebhookMessage | null>;
  /**
   * `claimMessage` for many messages, in as few transactions as DynamoDB allows: one result a
   * claim, the message as claimed or null where another dispatcher (or a change since it was
   * read) got there first. The others are claimed all the same.
   */
  claimMessages(claims: readonly MessageClaim[]): Promise<(WebhookMessage | null)[]>;
  /**
   * Records the ends of attempts, each its delivery-log entry (kept 30 days) and its message's
   * next state (delivered, failed and out of the due index, or pending again at `dueAt`), in as
   * few transactions as DynamoDB allows. One result an attempt: false when its lease was lost
   * meanwhile, and then only its log entry is written.
   */
  finishAttempts(finished: readonly FinishedAttempt[]): Promise<boolean[]>;
  /**
   * A writer of claims and attempt ends for one run (a dispatcher's): the calls made in the same
   * turn, or while `writesInFlight` shared writes are under way, go together in as few
   * transactions as DynamoDB allows, so busy callers share few large writes (a group commit).
   */
  sharedWrites(options: { writesInFlight: number }): SharedMessageWrites;
  /** Takes a due message out of the due index in `state` (held, cancelled) unless it moved since it was read. */
  parkMessage(message: WebhookMessage, state: "held" | "cancelled"): Promise<boolean>;
  /**
   * Makes a message due at `at` (retry now, resume), unless an attempt holds a live lease on
   * it; with `onlyHeld`, only while it is held.
   */
  requeueMessage(id: string, at: Date, onlyHeld?: boolean): Promise<WebhookMessage | null>;
};

/** The message's fields as a claim leaves them: being sent under `token`, due again when the lease runs out. */
function claimUpdate({ message, token, leaseUntil }: ClaimOf<Pick<WebhookMessage, "id" | "dueAt" | "attempts">>) {
  const dueAt = leaseUntil.toISOString();
  return updateInput(
    keys.message(message.id),
    { state: "sending", lease: token, dueAt, ...dueIndex(message.id, dueAt) },
    {
      // Still due at the time it was read, with the attempts it was read with: nothing else
      // has moved it, so the message as read (with the claim's fields) is the message as stored.
      expression: "dueAt = :readDue AND #state IN (:pending, :sending) AND attempts = :readAttempts",
      names: { "#state": "state" },
      values: { ":readDue": message.dueAt, ":readAttempts": message.attempts, ":pending": "pending", ":sending": "sending" },
    },
  );
}

/** The message's fields at the end of an attempt, made only while the lease `token` is still held. */
function finishUpdate(id: string, finished: FinishedAttempt) {
  const { result, token } = finished;
  const due = result.state === "pending" && result.dueAt !== null;
  return updateInput(
    keys.message(id),
    { ...result, lease: null, gsi2pk: due ? keys.dueMessages : null, gsi2sk: due ? `${result.dueAt}#${id}` : null },
    { expression: "lease = :token", values: { ":token": token } },
  );
}

/**
 * Messages, numbered per subscription as they are stored; a sparse due index (pending ones, and
 * claimed ones at their lease's end) and a held index (those of paused or disabled subscriptions).
 */
export function createMessageRepository(doc: DynamoDBDocumentClient, tableName: string): MessageRepository {
  const { numberAndPut, afterNumbering } = createMessageNumbering(doc, tableName);

  async function claimOne(claim: ClaimOf<Pick<WebhookMessage, "id" | "dueAt" | "attempts">>): Promise<WebhookMessage | null> {
    const item = await sendUpdate(doc, tableName, claimUpdate(claim));
    return item === null ? null : messageFromStoredItem(item);
  }

  const repository: MessageRepository = {
    putMessage(message) {
      return afterNumbering(message.subscriptionId, async () => (await numberAndPut([message]))[0] as PutOutcome);
    },

    putMessages(messages) {
      const subscriptionId = messages[0]?.subscriptionId;
      if (subscriptionId === undefined) return Promise.resolve([]);
      if (messages.some((message) => message.subscriptionId !== subscriptionId))
        throw new Error(`putMessages takes the messages of one subscription (${subscriptionId} and others given)`);
      // A message given twice is stored once: its repeat finds it there, as with putMessage.
      const firsts = new Map<string, NewMessage>();
      for (const message of messages) if (!firsts.has(message.id)) firsts.set(message.id, message);
      const unique = [...firsts.values()];
      return afterNumbering(subscriptionId, async () => {
        const outcomes = new Map<string, PutOutcome>();
        for (let start = 0; start < unique.length; start += MESSAGES_PER_TRANSACTION) {
          const run = unique.slice(start, start + MESSAGES_PER_TRANSACTION);
          const stored = await numberAndPut(run);
          for (const [offset, message] of run.entries()) outcomes.set(message.id, stored[offset] as PutOutcome);
        }
        const told = new Set<string>();
        return messages.map((message) => {
          const outcome = outcomes.get(message.id) as PutOutcome;
          if (told.has(message.id)) return outcome === "gone" ? "gone" : "exists";
          told.add(message.id);
          return outcome;
        });
      });
    },

    async getMessage(id) {
      const result = await doc.send(new GetCommand({ TableName: tableName, Key: keys.message(id), ConsistentRead: true }));
      return result.Item ? messageFromStoredItem(result.Item) : null;
    },

    async listMessages(subscriptionId, request) {
      const prefix = keys.messageLogPrefix;
      const entries = await queryRangePage(
        doc,
        {
          tableName,
          partition: keys.subscription(subscriptionId).pk,
          // "0" sorts after "#" and before every digit: the first entry after `after`.
          range: { from: request.after === null ? prefix : `${prefix}${request.after}0`, to: `${prefix}~` },
          consistent: true,
        },
        { limit: request.limit },
      );
      const ids = entries.items.map((item) => String(item.messageId));
      const items = await batchGetItems(
        doc,
        tableName,
        ids.map((id) => keys.message(id)),
        { consistent: true },
      );
      const byId = new Map(items.map((item) => [String(item.id), messageFromStoredItem(item)]));
      return ids.flatMap((id) => byId.get(id) ?? []);
    },

    async heldMessages(subscriptionId, limit) {
      const { items } = await queryRangePage(
        doc,
        {
          tableName,
          index: "gsi2",
          partition: keys.heldMessages,
          range: subscriptionId === null ? undefined : { prefix: `${subscriptionId}#` },
        },
        { limit },
      );
      return items.map(messageFromStoredItem);
    },

    async dueMessages(now, limit, after = null) {
      const page = await queryRangePage(
        doc,
        { tableName, index: "gsi2", partition: keys.dueMessages, range: { to: `${now.toISOString()}#~` } },
        { limit, startKey: after === null ? undefined : fromPageMark(after) },
      );
      return { items: page.items.map(messageFromStoredItem), next: toPageMark(page.lastKey) };
    },

    claimMessage(message, token, leaseUntil) {
      return claimOne({ message, token, leaseUntil });
    },

    async claimMessages(claims) {
      // One alone costs less as a plain update than as a transaction.
      const [only] = claims;
      if (claims.length === 1 && only !== undefined) return [await claimOne(only)];
      const won = await writeEach(doc, claims, (claim, lost) =>
        lost ? [] : [{ Update: { TableName: tableName, ...claimUpdate(claim) } }],
      );
      return claims.map((claim, index) =>
        won[index] ? { ...claim.message, state: "sending", dueAt: claim.leaseUntil.toISOString() } : null,
      );
    },

    finishAttempts(finished) {
      return writeEach(doc, finished, (entry, lost) => [
        ...(lost ? [] : [{ Update: { TableName: tableName, ...finishUpdate(entry.attempt.messageId, entry) } }]),
        { Put: { TableName: tableName, Item: attemptItem(entry.attempt) } },
      ]);
    },

    sharedWrites({ writesInFlight }) {
      return {
        claim: batchCalls((claims: MessageClaim[]) => repository.claimMessages(claims), {
          max: CLAIMS_PER_WRITE,
          inFlight: writesInFlight,
        }),
        finish: batchCalls((finished: FinishedAttempt[]) => repository.finishAttempts(finished), {
          max: FINISHES_PER_WRITE,
          inFlight: writesInFlight,
        }),
      };
    },

    async parkMessage(message, state) {
      const index = state === "held" ? heldIndex(message) : { gsi2pk: null, gsi2sk: null };
      const item = await updateWhen(
        doc,
        tableName,
        keys.message(message.id),
        { state, dueAt: null, ...index },
        { expression: "dueAt = :readDue", values: { ":readDue": message.dueAt } },
      );
      return item !== null;
    },

    async requeueMessage(id, at, onlyHeld = false) {
      const dueAt = at.toISOString();
      const item = await updateWhen(
        doc,
        tableName,
        keys.message(id),
        { state: "pending", dueAt, ...dueIndex(id, dueAt) },
        onlyHeld
          ? { expression: "#state = :held", names: { "#state": "state" }, values: { ":held": "held" } }
          : {
              expression: "attribute_exists(pk) AND (#state <> :sending OR dueAt < :now)",
              names: { "#state": "state" },
              values: { ":sending": "sending", ":now": dueAt },
            },
      );
      return item === null ? null : messageFromStoredItem(item);
    },
  };
  return repository;
}
