import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { type ArticleRepository, createArticleRepository } from "./article-repository";
import type { DynamoClients } from "./client";
import { createEventRepository, type EventRepository } from "./event-repository";
import { createSourceRepository, type SourceRepository } from "./source-repository";
import { createWebhookRepository, type WebhookRepository } from "./webhook-repository";

export type { ArticleRepository, PageRequest } from "./article-repository";
export { articleIndexKeys, articleItems, createArticleRepository } from "./article-repository";
export type { ChangeListener } from "./change-listener";
export { withChangeListener } from "./change-listener";
export type { DynamoClients, DynamoConnection } from "./client";
export { createDynamoClients } from "./client";
export type { EnsureTableResult } from "./ensure-table";
export { ensureTable } from "./ensure-table";
export type { ChangedEvents } from "./event-change-log";
export { eventFromItem } from "./event-item";
export type { EventLookup, EventRepository } from "./event-repository";
export { createEventRepository } from "./event-repository";
export type { FilteredPage, FilteredPageRequest, SortRange } from "./filtered-page";
export type { Page, PageKey } from "./items";
export { MAX_TRANSACTION_ITEMS } from "./items";
export { ENTITY, keys } from "./keys";
export type { ArticleQuery, EventQuery, ListingRequest } from "./listings";
export { listArticles, listEvents } from "./listings";
export type {
  ArticleMoves,
  CommitDecisionInput,
  DecisionOutcome,
  MaintenanceChange,
  PendingMoves,
} from "./maintenance-commit";
export { MAX_MOVED_PER_DECISION } from "./maintenance-commit";
export type {
  CommitMatchesInput,
  CommitOutcome,
  EventCounts,
  MatchChange,
  MatchedArticle,
  ReconsideredArticle,
} from "./match-commit";
export { MAX_RECONSIDERED_PER_COMMIT } from "./match-commit";
export type { NewMessage } from "./message-items";
export { MESSAGES_PER_TRANSACTION } from "./message-numbering";
export type { FinishedAttempt, MessageClaim } from "./message-repository";
export type { SourceFetchUpdate, SourceRepository, SourceSettingsUpdate } from "./source-repository";
export { createSourceRepository } from "./source-repository";
export type { IndexName } from "./table";
export { createTableInput, keyAttributes, SCHEMA_VERSION, sstDynamoArgs, TABLE_SCHEMA } from "./table";
export type { PagePosition, TwoWayPage, TwoWayPageRequest } from "./two-way-page";
export type { WebhookRepository } from "./webhook-repository";
export { createWebhookRepository } from "./webhook-repository";

export type Store = {
  tableName: string;
  sources: SourceRepository;
  articles: ArticleRepository;
  events: EventRepository;
  webhooks: WebhookRepository;
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
    webhooks: createWebhookRepository(clients.doc, tableName),
    async ping() {
      await clients.client.send(new DescribeTableCommand({ TableName: tableName }));
    },
  };
}
