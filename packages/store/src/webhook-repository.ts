import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { type AttemptLogRepository, createAttemptLogRepository } from "./attempt-log-repository";
import { createMessageRepository, type MessageRepository } from "./message-repository";
import { createSubscriptionRepository, type SubscriptionRepository } from "./subscription-repository";

/** The store's webhook member: the subscription, message and attempt-log repositories together. */
export type WebhookRepository = SubscriptionRepository & MessageRepository & AttemptLogRepository;

/** Subscriptions, their messages (the delivery state of each) and the attempt log. */
export function createWebhookRepository(doc: DynamoDBDocumentClient, tableName: string): WebhookRepository {
  return {
    ...createSubscriptionRepository(doc, tableName),
    ...createMessageRepository(doc, tableName),
    ...createAttemptLogRepository(doc, tableName),
  };
}
