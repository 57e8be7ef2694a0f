import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { Subscription } from "@eventwire/core";
import { updateWhen } from "./conditional-update";
import { type Item, isConditionFailure, pickFields } from "./items";
import { ENTITY, keys } from "./keys";
import { queryAll } from "./range-query";
import { SCHEMA_VERSION } from "./table";

/** Webhook subscriptions: their endpoint, filter, secrets, state and the endpoint's health. */
export type SubscriptionRepository = {
  /** Stores a new subscription; false when the id is taken. */
  createSubscription(subscription: Subscription): Promise<boolean>;
  getSubscription(id: string): Promise<Subscription | null>;
  /** Every subscription, the oldest first. */
  listSubscriptions(): Promise<Subscription[]>;
  /**
   * Changes fields of a subscription (null removes one); with `whenState`, only while it is in
   * one of those states. The subscription as it is now, or null when it is gone or the state
   * did not match.
   */
  updateSubscription(
    id: string,
    fields: Partial<Subscription>,
    whenState?: readonly Subscription["state"][],
  ): Promise<Subscription | null>;
  /** Notes a failed attempt: the endpoint has been failing since then, unless it already was. */
  noteFailure(id: string, at: string): Promise<Subscription | null>;
  deleteSubscription(id: string): Promise<boolean>;
};

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

const subscriptionFromItem = (item: Item) => pickFields<Subscription>(item, SUBSCRIPTION_FIELDS);

/** Subscriptions, one item each, listed in order of creation. */
export function createSubscriptionRepository(doc: DynamoDBDocumentClient, tableName: string): SubscriptionRepository {
  return {
    async createSubscription(subscription) {
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

    async getSubscription(id) {
      const result = await doc.send(new GetCommand({ TableName: tableName, Key: keys.subscription(id), ConsistentRead: true }));
      return result.Item ? subscriptionFromItem(result.Item) : null;
    },

    async listSubscriptions() {
      const items = await queryAll(doc, { tableName, index: "gsi1", partition: keys.subscriptionCollection });
      return items.map(subscriptionFromItem);
    },

    async updateSubscription(id, fields, whenState) {
      const stateCondition =
        whenState === undefined ? "" : ` AND #state IN (${whenState.map((_, index) => `:when${index}`).join(", ")})`;
      const item = await updateWhen(doc, tableName, keys.subscription(id), fields, {
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

    async noteFailure(id, at) {
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

    async deleteSubscription(id) {
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
  };
}
