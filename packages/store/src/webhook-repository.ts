import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type { DeliveryAttempt, Subscription, WebhookMessage } from "@eventwire/core";
import {
  batchGetItems,
  cancellationCodes,
  type Item,
  isConditionFailure,
  MAX_TRANSACTION_ITEMS,
  type PageKey,
  pickFields,
  RETRIED_CANCELLATIONS,
  toPageKey,
} from "./items";
import { ENTITY, keys, messagePosition } from "./keys";
import { SCHEMA_VERSION, TABLE_SCHEMA } from "./table";

export type WebhookRepository = ReturnType<typeof createWebhookRepository>;

/** Delivery attempts stay in the log this long; then DynamoDB's TTL removes them. */
const ATTEMPT_LOG_DAYS = 30;

const SUBSCRIPTION_FIELDS = [
  "id",
  "url",
  "description",
  "types",
  "filter",
  "state",
  "disabledReason",
  "disabledAt",
  "failingSince",
  "lastSuccessAt",
  "secrets",
  "startSeq",
  "createdAt",
  "updatedAt",
] as const satisfies readonly (keyof Subscription)[];

const MESSAGE_FIELDS = [
  "id",
  "subscriptionId",
  "type",
  "body",
  "createdAt",
  "position",
  "state",
  "attempts",
  "dueAt",
  "lastStatusCode",
  "lastError",
  "deliveredAt",
] as const satisfies readonly (keyof WebhookMessage)[];

const ATTEMPT_FIELDS = [
  "messageId",
  "subscriptionId",
  "type",
  "attempt",
  "at",
  "url",
  "statusCode",
  "latencyMs",
  "error",
  "outcome",
  "nextAttemptAt",
] as const satisfies readonly (keyof DeliveryAttempt)[];

const subscriptionFromItem = (item: Item) => pickFields<Subscription>(item, SUBSCRIPTION_FIELDS);
const messageFromItem = (item: Item) => pickFields<WebhookMessage>(item, MESSAGE_FIELDS);
const attemptFromItem = (item: Item) => pickFields<DeliveryAttempt>(item, ATTEMPT_FIELDS);

/** Rounds of numbering a message before giving up (each lost round means another writer got a number). */
const NUMBERING_ROUNDS = 50;

/** Messages numbered in one transaction: two items each, with the counter's update (49: 99 of the 100 allowed). */
export const MESSAGES_PER_TRANSACTION = Math.floor((MAX_TRANSACTION_ITEMS - 1) / 2);

/** Rounds of a claim or finish transaction that collided with other writers before giving up. */
const COLLISION_ROUNDS = 8;

type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

type ClaimOf<M> = { message: M; token: string; leaseUntil: Date };

/** A claim on a due message, as read: the lease `token` until `leaseUntil`. */
export type MessageClaim = ClaimOf<WebhookMessage>;

/** The end of one attempt made under lease `token`: its entry in the delivery log and the message's next state. */
export type FinishedAttempt = {
  token: string;
  attempt: DeliveryAttempt;
  result: Pick<WebhookMessage, "state" | "attempts" | "dueAt" | "lastStatusCode" | "lastError" | "deliveredAt">;
};

/**
 * A message as it is made: the store gives it its position. One made `sending` is stored
 * claimed, as `claimMessages` leaves a message: `lease` is its maker's token and `dueAt` the
 * lease's end, when it is due to any dispatcher (its maker died before finishing it).
 */
export type NewMessage = Omit<WebhookMessage, "position"> & { lease?: string };

/** The held-index attributes of a message kept for its paused or disabled subscription. */
function heldIndex(message: Pick<WebhookMessage, "subscriptionId" | "position">) {
  return { gsi2pk: keys.heldMessages, gsi2sk: `${message.subscriptionId}#${message.position}` };
}

/** The due-index attributes of a message that waits for an attempt at `dueAt`. */
function dueIndex(id: string, dueAt: string) {
  return { gsi2pk: keys.dueMessages, gsi2sk: `${dueAt}#${id}` };
}

/** An update of the listed attributes: SET those with a value, REMOVE those set to null. */
function setOrRemove(fields: Record<string, unknown>) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  const removes: string[] = [];
  Object.entries(fields).forEach(([name, value], index) => {
    names[`#f${index}`] = name;
    if (value === null || value === undefined) removes.push(`#f${index}`);
    else {
      values[`:f${index}`] = value;
      sets.push(`#f${index} = :f${index}`);
    }
  });
  const expression = [sets.length > 0 ? `SET ${sets.join(", ")}` : "", removes.length > 0 ? `REMOVE ${removes.join(", ")}` : ""]
    .filter((part) => part !== "")
    .join(" ");
  return { expression, names, values };
}

type Condition = { expression: string; names?: Record<string, string>; values?: Record<string, unknown> };

/** The parts of an update of `fields` (null removes one) of the item at `key`, made only under `condition`. */
function updateInput(key: Record<string, string>, fields: Record<string, unknown>, condition: Condition) {
  const { expression, names, values } = setOrRemove(fields);
  return {
    Key: key,
    UpdateExpression: expression,
    ConditionExpression: condition.expression,
    ExpressionAttributeNames: { ...names, ...condition.names },
    ExpressionAttributeValues:
      Object.keys(values).length + Object.keys(condition.values ?? {}).length > 0
        ? { ...values, ...condition.values }
        : undefined,
  };
}

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
 * Subscriptions, their messages (the delivery state of each) and the attempt log, and the
 * position up to which a theme's changes have been turned into messages.
 */
export function createWebhookRepository(doc: DynamoDBDocumentClient, tableName: string) {
  /** Updates fields of an item under a condition; false when the condition failed. */
  async function update(
    key: Record<string, string>,
    fields: Record<string, unknown>,
    condition: Condition,
  ): Promise<Item | null> {
    return sendUpdate(updateInput(key, fields, condition));
  }

  /** Sends one prepared update; the item as it is now, or null when its condition failed. */
  async function sendUpdate(input: ReturnType<typeof updateInput>): Promise<Item | null> {
    try {
      const result = await doc.send(new UpdateCommand({ TableName: tableName, ...input, ReturnValues: "ALL_NEW" }));
      return result.Attributes ?? null;
    } catch (error) {
      if (isConditionFailure(error)) return null;
      throw error;
    }
  }

  async function queryAll(input: ConstructorParameters<typeof QueryCommand>[0]): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const result = await doc.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
      items.push(...(result.Items ?? []));
      startKey = result.LastEvaluatedKey;
    } while (startKey !== undefined);
    return items;
  }

  /**
   * Writes the items of many entries in as few transactions as DynamoDB allows (100 items, an
   * item once a transaction). An entry's first item is its conditional one: an entry whose
   * condition fails is reported false, and the transaction is sent again with the others and
   * only what `items(entry, true)` still gives for it. A transaction that collided with another
   * writer's is sent again, after a short wait, a few times at most.
   */
  async function writeEach<T>(entries: readonly T[], items: (entry: T, lost: boolean) => TransactItem[]): Promise<boolean[]> {
    const lost = new Set<number>();
    const keyOf = (item: TransactItem) => {
      const key = (item.Update?.Key ?? item.Put?.Item) as Item;
      return `${key.pk}|${key.sk}`;
    };
    // Chunks of entries whose items fit one transaction and name no item twice.
    const chunks: number[][] = [];
    let chunk: number[] = [];
    let size = 0;
    let names = new Set<string>();
    entries.forEach((entry, index) => {
      const built = items(entry, false);
      if (chunk.length > 0 && (size + built.length > MAX_TRANSACTION_ITEMS || built.some((item) => names.has(keyOf(item))))) {
        chunks.push(chunk);
        chunk = [];
        size = 0;
        names = new Set();
      }
      chunk.push(index);
      size += built.length;
      for (const item of built) names.add(keyOf(item));
    });
    if (chunk.length > 0) chunks.push(chunk);

    for (const indices of chunks) {
      for (let round = 0; ; round += 1) {
        const parts = indices
          .map((index) => ({ index, built: items(entries[index] as T, lost.has(index)) }))
          .filter((part) => part.built.length > 0);
        if (parts.length === 0) break;
        try {
          await doc.send(new TransactWriteCommand({ TransactItems: parts.flatMap((part) => part.built) }));
          break;
        } catch (error) {
          const codes = cancellationCodes(error);
          if (codes === null) throw error;
          let offset = 0;
          let failed = false;
          for (const part of parts) {
            if (!lost.has(part.index) && codes[offset] === "ConditionalCheckFailed") {
              lost.add(part.index);
              failed = true;
            }
            offset += part.built.length;
          }
          if (failed) continue;
          // Only a conflicting writer or throttling is worth another round; anything else (an
          // item DynamoDB refuses) would fail the same way again.
          const refused = codes.find(
            (code) =>
              code !== undefined && code !== "None" && code !== "ConditionalCheckFailed" && !RETRIED_CANCELLATIONS.has(code),
          );
          if (refused !== undefined) throw error;
          if (round + 1 >= COLLISION_ROUNDS)
            throw new Error(
              `a transaction of ${parts.length} webhook writes (message ${keyOf(parts[0]?.built[0] as TransactItem)} first) kept colliding with other writers: ${codes.join(", ")}`,
            );
          await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** round * (0.5 + Math.random())));
        }
      }
    }
    return entries.map((_, index) => !lost.has(index));
  }

  /** The delivery-log item of an attempt (kept 30 days). */
  function attemptItem(attempt: DeliveryAttempt): Item {
    const { type: messageType, ...fields } = attempt;
    return {
      ...keys.attempt(attempt.messageId, attempt.attempt),
      gsi3pk: keys.subscriptionAttempts(attempt.subscriptionId),
      gsi3sk: `${attempt.at}#${attempt.messageId}#${String(attempt.attempt).padStart(3, "0")}`,
      type: ENTITY.attempt,
      schemaVersion: SCHEMA_VERSION,
      ...fields,
      messageType,
      [TABLE_SCHEMA.ttlAttribute]: Math.floor(Date.parse(attempt.at) / 1000) + ATTEMPT_LOG_DAYS * 86_400,
    };
  }

  async function claimOne(claim: ClaimOf<Pick<WebhookMessage, "id" | "dueAt" | "attempts">>): Promise<WebhookMessage | null> {
    const item = await sendUpdate(claimUpdate(claim));
    return item === null ? null : messageFromStoredItem(item);
  }

  const numbering = new Map<string, Promise<void>>();

  type PutOutcome = "created" | "exists" | "gone";

  /** The message item and its listing entry, numbered `seq` of its subscription. */
  function messageItems(message: NewMessage, seq: number) {
    // `type` is the item's entity type; the message's own type goes under another name.
    const { type: messageType, ...fields } = message;
    if (message.state === "sending" && (message.lease === undefined || message.dueAt === null))
      throw new Error(`message ${message.id} is made sending without a lease and its end: a claim needs both`);
    const position = messagePosition(seq);
    const index =
      (message.state === "pending" || message.state === "sending") && message.dueAt !== null
        ? dueIndex(message.id, message.dueAt)
        : message.state === "held"
          ? heldIndex({ subscriptionId: message.subscriptionId, position })
          : {};
    return [
      {
        Put: {
          TableName: tableName,
          Item: {
            ...keys.message(message.id),
            ...index,
            type: ENTITY.message,
            schemaVersion: SCHEMA_VERSION,
            ...fields,
            position,
            messageType,
          },
          ConditionExpression: "attribute_not_exists(pk)",
        },
      },
      {
        Put: {
          TableName: tableName,
          Item: {
            ...keys.subscriptionMessage(message.subscriptionId, seq),
            type: ENTITY.messageLog,
            schemaVersion: SCHEMA_VERSION,
            messageId: message.id,
          },
        },
      },
    ];
  }

  /**
   * Numbers and stores a run of one subscription's messages (distinct ids) in one transaction
   * with the counter. When some of them exist already (a fan-out made again after a crash), they
   * are stored one by one, so each existing one is told apart from the new ones.
   */
  async function numberAndPut(run: readonly NewMessage[]): Promise<PutOutcome[]> {
    const first = run[0];
    if (first === undefined) return [];
    const subscriptionKey = keys.subscription(first.subscriptionId);
    for (let round = 0; round < NUMBERING_ROUNDS; round += 1) {
      const current = await doc.send(
        new GetCommand({
          TableName: tableName,
          Key: subscriptionKey,
          ConsistentRead: true,
          ProjectionExpression: "pk, messageSeq",
        }),
      );
      if (current.Item === undefined) return run.map(() => "gone");
      const seq = Number(current.Item.messageSeq ?? 0);
      try {
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: tableName,
                  Key: subscriptionKey,
                  UpdateExpression: "SET messageSeq = :next",
                  ConditionExpression:
                    seq === 0 ? "attribute_exists(pk) AND attribute_not_exists(messageSeq)" : "messageSeq = :seq",
                  ExpressionAttributeValues: { ":next": seq + run.length, ...(seq === 0 ? {} : { ":seq": seq }) },
                },
              },
              ...run.flatMap((message, offset) => messageItems(message, seq + 1 + offset)),
            ],
          }),
        );
        return run.map(() => "created");
      } catch (error) {
        const codes = cancellationCodes(error);
        if (codes === null) throw error;
        // Message puts sit at 1, 3, 5, …: one that failed its condition exists already.
        const existing = run.findIndex((_, offset) => codes[1 + 2 * offset] === "ConditionalCheckFailed");
        if (existing >= 0) {
          if (run.length === 1) return ["exists"];
          const outcomes: PutOutcome[] = [];
          for (const message of run) outcomes.push(...(await numberAndPut([message])));
          return outcomes;
        }
        // The counter moved (another writer numbered a message) or the transactions collided: again.
      }
    }
    throw new Error(
      `could not number message ${first.id}${run.length > 1 ? ` (and ${run.length - 1} more)` : ""} of subscription ${first.subscriptionId} in ${NUMBERING_ROUNDS} rounds`,
    );
  }

  /** Runs `work` after the subscription's earlier numbering in this process has settled. */
  function afterNumbering<T>(subscriptionId: string, work: () => Promise<T>): Promise<T> {
    // One writer at a time per subscription in this process; other processes lose a round and retry.
    const previous = numbering.get(subscriptionId) ?? Promise.resolve();
    const result = previous.then(work);
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    numbering.set(subscriptionId, settled);
    void settled.then(() => {
      if (numbering.get(subscriptionId) === settled) numbering.delete(subscriptionId);
    });
    return result;
  }

  return {
    /** Stores a new subscription; false when the id is taken. */
    async createSubscription(subscription: Subscription): Promise<boolean> {
      try {
        await doc.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...keys.subscription(subscription.id),
              gsi1pk: keys.subscriptionCollection,
              gsi1sk: `${subscription.createdAt}#${subscription.id}`,
              type: ENTITY.subscription,
              schemaVersion: SCHEMA_VERSION,
              // Absent, not null, so that `if_not_exists` (failingSince) sees them as unset.
              ...Object.fromEntries(Object.entries(subscription).filter(([, value]) => value !== null)),
            },
            ConditionExpression: "attribute_not_exists(pk)",
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async getSubscription(id: string): Promise<Subscription | null> {
      const result = await doc.send(new GetCommand({ TableName: tableName, Key: keys.subscription(id), ConsistentRead: true }));
      return result.Item ? subscriptionFromItem(result.Item) : null;
    },

    /** Every subscription, the oldest first. */
    async listSubscriptions(): Promise<Subscription[]> {
      const items = await queryAll({
        TableName: tableName,
        IndexName: "gsi1",
        KeyConditionExpression: "gsi1pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.subscriptionCollection },
      });
      return items.map(subscriptionFromItem);
    },

    /**
     * Changes fields of a subscription (null removes one); with `whenState`, only while it is in
     * one of those states. The subscription as it is now, or null when it is gone or the state
     * did not match.
     */
    async updateSubscription(
      id: string,
      fields: Partial<Subscription>,
      whenState?: readonly Subscription["state"][],
    ): Promise<Subscription | null> {
      const stateCondition =
        whenState === undefined ? "" : ` AND #state IN (${whenState.map((_, index) => `:when${index}`).join(", ")})`;
      const item = await update(keys.subscription(id), fields, {
        expression: `attribute_exists(pk)${stateCondition}`,
        ...(whenState === undefined
          ? {}
          : {
              names: { "#state": "state" },
              values: Object.fromEntries(whenState.map((state, index) => [`:when${index}`, state])),
            }),
      });
      return item === null ? null : subscriptionFromItem(item);
    },

    /** Notes a failed attempt: the endpoint has been failing since then, unless it already was. */
    async noteFailure(id: string, at: string): Promise<Subscription | null> {
      try {
        const result = await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.subscription(id),
            UpdateExpression: "SET failingSince = if_not_exists(failingSince, :at)",
            ConditionExpression: "attribute_exists(pk)",
            ExpressionAttributeValues: { ":at": at },
            ReturnValues: "ALL_NEW",
          }),
        );
        return result.Attributes ? subscriptionFromItem(result.Attributes) : null;
      } catch (error) {
        if (isConditionFailure(error)) return null;
        throw error;
      }
    },

    async deleteSubscription(id: string): Promise<boolean> {
      try {
        await doc.send(
          new DeleteCommand({ TableName: tableName, Key: keys.subscription(id), ConditionExpression: "attribute_exists(pk)" }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    /**
     * Stores a message unless one with its id exists (ids are deterministic, so making the same
     * message twice stores it once), numbered with the subscription's message counter. The
     * counter, the message and its entry in the subscription's listing are written in one
     * transaction that expects the counter unchanged, so numbers follow the order messages are
     * written and no message can appear later behind one a reader has already seen. Pending
     * messages enter the due index, held ones the held index, and claimed (`sending`) ones the due
     * index at their lease's end. "gone": the subscription was deleted.
     */
    putMessage(message: NewMessage): Promise<PutOutcome> {
      return afterNumbering(message.subscriptionId, async () => (await numberAndPut([message]))[0] as PutOutcome);
    },

    /**
     * `putMessage` for many messages of one subscription, in order: numbered in runs of up to
     * 49 a transaction (with the counter, 99 of DynamoDB's 100 items), one outcome a message.
     */
    putMessages(messages: readonly NewMessage[]): Promise<PutOutcome[]> {
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

    async getMessage(id: string): Promise<WebhookMessage | null> {
      const result = await doc.send(new GetCommand({ TableName: tableName, Key: keys.message(id), ConsistentRead: true }));
      return result.Item ? messageFromStoredItem(result.Item) : null;
    },

    /**
     * A subscription's messages after `position` (null: from the first), in the order they were
     * written. Read with strong consistency from the subscription's own partition, so a page
     * shows every message written before it was read.
     */
    async listMessages(subscriptionId: string, request: { after: string | null; limit: number }): Promise<WebhookMessage[]> {
      const prefix = keys.messageLogPrefix;
      const result = await doc.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
          ExpressionAttributeValues: {
            ":pk": keys.subscription(subscriptionId).pk,
            // "0" sorts after "#" and before every digit: the first entry after `after`.
            ":from": request.after === null ? prefix : `${prefix}${request.after}0`,
            ":to": `${prefix}~`,
          },
          ConsistentRead: true,
          Limit: request.limit,
        }),
      );
      const ids = (result.Items ?? []).map((item) => String(item.messageId));
      const items = await batchGetItems(
        doc,
        tableName,
        ids.map((id) => keys.message(id)),
        { consistent: true },
      );
      const byId = new Map(items.map((item) => [String(item.id), messageFromStoredItem(item)]));
      return ids.flatMap((id) => byId.get(id) ?? []);
    },

    /** Up to `limit` held messages, of one subscription or of all, in order. */
    async heldMessages(subscriptionId: string | null, limit: number): Promise<WebhookMessage[]> {
      const result = await doc.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: "gsi2",
          KeyConditionExpression: subscriptionId === null ? "gsi2pk = :pk" : "gsi2pk = :pk AND begins_with(gsi2sk, :sub)",
          ExpressionAttributeValues: {
            ":pk": keys.heldMessages,
            ...(subscriptionId === null ? {} : { ":sub": `${subscriptionId}#` }),
          },
          Limit: limit,
        }),
      );
      return (result.Items ?? []).map(messageFromStoredItem);
    },

    /**
     * A page of up to `limit` messages whose next attempt (or expired lease) is due at `now`, the
     * longest waiting first, from `after` (a `next` of an earlier page; null: the first).
     */
    async dueMessages(
      now: Date,
      limit: number,
      after: PageKey | null = null,
    ): Promise<{ items: WebhookMessage[]; next: PageKey | null }> {
      const result = await doc.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: "gsi2",
          KeyConditionExpression: "gsi2pk = :pk AND gsi2sk <= :now",
          ExpressionAttributeValues: { ":pk": keys.dueMessages, ":now": `${now.toISOString()}#~` },
          Limit: limit,
          ...(after === null ? {} : { ExclusiveStartKey: after }),
        }),
      );
      return { items: (result.Items ?? []).map(messageFromStoredItem), next: toPageKey(result.LastEvaluatedKey) };
    },

    /**
     * Takes the lease on a due message: only if it is still due at the time it was read
     * (`message.dueAt`), so of two dispatchers that read it, one wins. The lease runs out at
     * `leaseUntil`, when the message is due again (a dispatcher that died mid-send).
     */
    claimMessage(
      message: Pick<WebhookMessage, "id" | "dueAt" | "attempts">,
      token: string,
      leaseUntil: Date,
    ): Promise<WebhookMessage | null> {
      return claimOne({ message, token, leaseUntil });
    },

    /**
     * `claimMessage` for many messages, in as few transactions as DynamoDB allows: one result a
     * claim, the message as claimed or null where another dispatcher (or a change since it was
     * read) got there first. The others are claimed all the same.
     */
    async claimMessages(claims: readonly MessageClaim[]): Promise<(WebhookMessage | null)[]> {
      // One alone costs less as a plain update than as a transaction.
      const [only] = claims;
      if (claims.length === 1 && only !== undefined) return [await claimOne(only)];
      const won = await writeEach(claims, (claim, lost) =>
        lost ? [] : [{ Update: { TableName: tableName, ...claimUpdate(claim) } }],
      );
      return claims.map((claim, index) =>
        won[index] ? { ...claim.message, state: "sending", dueAt: claim.leaseUntil.toISOString() } : null,
      );
    },

    /**
     * Records the ends of attempts, each its delivery-log entry (kept 30 days) and its message's
     * next state (delivered, failed and out of the due index, or pending again at `dueAt`), in as
     * few transactions as DynamoDB allows. One result an attempt: false when its lease was lost
     * meanwhile, and then only its log entry is written.
     */
    finishAttempts(finished: readonly FinishedAttempt[]): Promise<boolean[]> {
      return writeEach(finished, (entry, lost) => [
        ...(lost ? [] : [{ Update: { TableName: tableName, ...finishUpdate(entry.attempt.messageId, entry) } }]),
        { Put: { TableName: tableName, Item: attemptItem(entry.attempt) } },
      ]);
    },

    /** Takes a due message out of the due index in `state` (held, cancelled) unless it moved since it was read. */
    async parkMessage(message: WebhookMessage, state: "held" | "cancelled"): Promise<boolean> {
      const index = state === "held" ? heldIndex(message) : { gsi2pk: null, gsi2sk: null };
      const item = await update(
        keys.message(message.id),
        { state, dueAt: null, ...index },
        { expression: "dueAt = :readDue", values: { ":readDue": message.dueAt } },
      );
      return item !== null;
    },

    /**
     * Makes a message due at `at` (retry now, resume), unless an attempt holds a live lease on
     * it; with `onlyHeld`, only while it is held.
     */
    async requeueMessage(id: string, at: Date, onlyHeld = false): Promise<WebhookMessage | null> {
      const dueAt = at.toISOString();
      const item = await update(
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

    /** A subscription's attempts, the newest first, `before` a position of an earlier page. */
    async listAttempts(
      subscriptionId: string,
      request: { limit: number; before: string | null },
    ): Promise<{ items: DeliveryAttempt[]; next: string | null }> {
      const result = await doc.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: "gsi3",
          KeyConditionExpression: request.before === null ? "gsi3pk = :pk" : "gsi3pk = :pk AND gsi3sk < :before",
          ExpressionAttributeValues: {
            ":pk": keys.subscriptionAttempts(subscriptionId),
            ...(request.before === null ? {} : { ":before": request.before }),
          },
          ScanIndexForward: false,
          Limit: request.limit,
        }),
      );
      const items = result.Items ?? [];
      const last = items.at(-1);
      return {
        items: items.map(attemptFromStoredItem),
        next: result.LastEvaluatedKey !== undefined && last !== undefined ? String(last.gsi3sk) : null,
      };
    },

    /** Every attempt of one message, the first first. */
    async messageAttempts(messageId: string): Promise<DeliveryAttempt[]> {
      const items = await queryAll({
        TableName: tableName,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues: { ":pk": keys.message(messageId).pk, ":prefix": "ATTEMPT#" },
        ConsistentRead: true,
      });
      return items.map(attemptFromStoredItem);
    },

    /** The last change of the theme turned into messages (0 before any). */
    async fanOutPosition(themeId: string): Promise<number> {
      const result = await doc.send(new GetCommand({ TableName: tableName, Key: keys.fanOut(themeId), ConsistentRead: true }));
      return result.Item ? Number(result.Item.seq) : 0;
    },

    /** Moves the fan-out position from `from` to `to`; false when another dispatcher moved it first. */
    async advanceFanOut(themeId: string, from: number, to: number): Promise<boolean> {
      const item = await update(
        keys.fanOut(themeId),
        { seq: to, type: ENTITY.fanOut, schemaVersion: SCHEMA_VERSION },
        from === 0
          ? { expression: "attribute_not_exists(pk) OR seq = :from", values: { ":from": from } }
          : { expression: "seq = :from", values: { ":from": from } },
      );
      return item !== null;
    },
  };
}

function messageFromStoredItem(item: Item): WebhookMessage {
  return { ...messageFromItem(item), type: item.messageType as WebhookMessage["type"] };
}

function attemptFromStoredItem(item: Item): DeliveryAttempt {
  return { ...attemptFromItem(item), type: item.messageType as DeliveryAttempt["type"] };
}
