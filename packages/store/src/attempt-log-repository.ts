import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { DeliveryAttempt } from "@eventwire/core";
import { type Item, pickFields } from "./items";
import { ENTITY, keys } from "./keys";
import { queryAll, queryRangePage } from "./range-query";
import { SCHEMA_VERSION, TABLE_SCHEMA } from "./table";

/** The delivery log: one entry an attempt, read by subscription (newest first) or by message. */
export type AttemptLogRepository = {
  /** A subscription's attempts, the newest first, `before` a position of an earlier page. */
  listAttempts(
    subscriptionId: string,
    request: { limit: number; before: string | null },
  ): Promise<{ items: DeliveryAttempt[]; next: string | null }>;
  /** Every attempt of one message, the first first. */
  messageAttempts(messageId: string): Promise<DeliveryAttempt[]>;
};

/** Delivery attempts stay in the log this long; then DynamoDB's TTL removes them. */
const ATTEMPT_LOG_DAYS = 30;

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

const attemptFromItem = (item: Item) => pickFields<DeliveryAttempt>(item, ATTEMPT_FIELDS);

function attemptFromStoredItem(item: Item): DeliveryAttempt {
  return { ...attemptFromItem(item), type: item.messageType as DeliveryAttempt["type"] };
}

/** The delivery-log item of an attempt (kept 30 days); written with the end of the attempt it records. */
export function attemptItem(attempt: DeliveryAttempt): Item {
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

/** Reads the delivery log; its entries are written by the message repository's `finishAttempts`. */
export function createAttemptLogRepository(doc: DynamoDBDocumentClient, tableName: string): AttemptLogRepository {
  return {
    async listAttempts(subscriptionId, request) {
      const { items, lastKey } = await queryRangePage(
        doc,
        {
          tableName,
          index: "gsi3",
          partition: keys.subscriptionAttempts(subscriptionId),
          range: request.before === null ? undefined : { below: request.before },
          newestFirst: true,
        },
        { limit: request.limit },
      );
      const last = items.at(-1);
      return {
        items: items.map(attemptFromStoredItem),
        next: lastKey !== undefined && last !== undefined ? String(last.gsi3sk) : null,
      };
    },

    async messageAttempts(messageId) {
      const items = await queryAll(doc, {
        tableName,
        partition: keys.message(messageId).pk,
        range: { prefix: "ATTEMPT#" },
        consistent: true,
      });
      return items.map(attemptFromStoredItem);
    },
  };
}
