import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { type AttemptLogRepository, createAttemptLogRepository } from "./attempt-log-repository";
import { createFanOutPositionRepository, type FanOutPositionRepository } from "./fan-out-position-repository";
import { createMessageRepository, type MessageRepository } from "./message-repository";
import { createSubscriptionRepository, type SubscriptionRepository } from "./subscription-repository";

/** The store's webhook member: the subscription, message, attempt-log and fan-out position repositories together. */
export type WebhookRepository = SubscriptionRepository & MessageRepository & AttemptLogRepository & FanOutPositionRepository;

/**
 * Subscriptions, their messages (the delivery state of each) and the attempt log, and the
 * position up to which a theme's changes have been turned into messages.
 */
export function createWebhookRepository(doc: DynamoDBDocumentClient, tableName: string): WebhookRepository {
  return {
    ...createSubscriptionRepository(doc, tableName),
    ...createMessageRepository(doc, tableName),
    ...createAttemptLogRepository(doc, tableName),
    ...createFanOutPositionRepository(doc, tableName),
  };
}
