import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { type ArticleRepository, createArticleRepository } from "./article-repository";
import { type ChangeLogRepository, createChangeLogRepository } from "./change-log-repository";
import type { DynamoClients } from "./client";
import { createEventRepository, type EventRepository } from "./event-repository";
import { createSearchIndexRepository, type SearchIndexRepository } from "./search-index-repository";
import { createSourceRepository, type SourceRepository } from "./source-repository";
import { createWebhookRepository, type WebhookRepository } from "./webhook-repository";

/** The repositories over one table, one member an entity (webhooks: subscriptions, messages and their attempt log). */
export type Store = {
  tableName: string;
  sources: SourceRepository;
  articles: ArticleRepository;
  events: EventRepository;
  /** Each theme's change log (the webhook outbox) and how far it has been turned into messages. */
  changes: ChangeLogRepository;
  webhooks: WebhookRepository;
  /** The search index: digests of closed buckets of publication time, built by `buildSearchIndex`. */
  search: SearchIndexRepository;
  /** Resolves when the table answers; rejects with the SDK's error otherwise. */
  ping(): Promise<void>;
};

/** The repositories over one table. */
export function createStore(clients: DynamoClients, tableName: string): Store {
  return {
    tableName,
    sources: createSourceRepository(clients.doc, tableName),
    articles: createArticleRepository(clients.doc, tableName),
    events: createEventRepository(clients.doc, tableName),
    changes: createChangeLogRepository(clients.doc, tableName),
    webhooks: createWebhookRepository(clients.doc, tableName),
    search: createSearchIndexRepository(clients.doc, tableName),
    async ping() {
      await clients.client.send(new DescribeTableCommand({ TableName: tableName }));
    },
  };
}
