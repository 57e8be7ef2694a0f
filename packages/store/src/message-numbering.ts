import { type DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { ENTITY, keys, messagePosition } from "./keys";
import { dueIndex, heldIndex, type NewMessage } from "./message-items";
import { SCHEMA_VERSION } from "./table";
import { MAX_TRANSACTION_ITEMS, transact } from "./transaction";

/** Rounds of numbering a message before giving up (each lost round means another writer got a number). */
const NUMBERING_ROUNDS = 50;

/** Messages numbered in one transaction: two items each, with the counter's update (49: 99 of the 100 allowed). */
export const MESSAGES_PER_TRANSACTION = Math.floor((MAX_TRANSACTION_ITEMS - 1) / 2);

/** What storing a message did: stored it, found it stored already, or found its subscription deleted. */
export type PutOutcome = "created" | "exists" | "gone";

/**
 * The numbering of each subscription's messages: its counter on the subscription's item, and a
 * listing entry a message under the subscription, written with the message in one transaction.
 */
export function createMessageNumbering(doc: DynamoDBDocumentClient, tableName: string) {
  const numbering = new Map<string, Promise<void>>();

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
      // A collision with another writer is waited out inside `transact`.
      const codes = await transact(doc, [
        {
          Update: {
            TableName: tableName,
            Key: subscriptionKey,
            UpdateExpression: "SET messageSeq = :next",
            ConditionExpression: seq === 0 ? "attribute_exists(pk) AND attribute_not_exists(messageSeq)" : "messageSeq = :seq",
            ExpressionAttributeValues: { ":next": seq + run.length, ...(seq === 0 ? {} : { ":seq": seq }) },
          },
        },
        ...run.flatMap((message, offset) => messageItems(message, seq + 1 + offset)),
      ]);
      if (codes === null) return run.map(() => "created");
      // Message puts sit at 1, 3, 5, …: one that failed its condition exists already.
      const existing = run.findIndex((_, offset) => codes[1 + 2 * offset] === "ConditionalCheckFailed");
      if (existing >= 0) {
        if (run.length === 1) return ["exists"];
        const outcomes: PutOutcome[] = [];
        for (const message of run) outcomes.push(...(await numberAndPut([message])));
        return outcomes;
      }
      // The counter moved (another writer numbered a message): number again.
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

  return { numberAndPut, afterNumbering };
}
