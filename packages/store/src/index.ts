export { articleItems } from "./article-items";
export type { ArticleRepository, EditedArticle, PageRequest } from "./article-repository";
export type { AttemptLogRepository } from "./attempt-log-repository";
export { batchWriteItems } from "./batch-write";
export type { ChangeListener } from "./change-listener";
export { withChangeListener } from "./change-listener";
export type { ChangedEvents, ChangeLogRepository } from "./change-log-repository";
export type { DynamoClients, DynamoConnection } from "./client";
export { createDynamoClients } from "./client";
export type { CommitEntry, MatchCommitRoom } from "./commit-room";
export { createMatchCommitRoom } from "./commit-room";
export type { Store } from "./create-store";
export { createStore } from "./create-store";
export type { EnsureTableResult } from "./ensure-table";
export { ensureTable } from "./ensure-table";
export { eventFromItem, eventToItem } from "./event-item";
export type { EventLookup, EventRepository } from "./event-repository";
export type { FilteredPage, FilteredPageRequest, SortRange } from "./filtered-page";
export type { Page, PageKey, PageMark } from "./items";
export { ENTITY, keys } from "./keys";
export type { ArticleQuery, EventQuery, ListingRequest } from "./listings";
export { listArticles, listEvents } from "./listings";
export type {
  ArticleMoves,
  CommitDecisionInput,
  DecisionOutcome,
  MaintenanceChange,
  MaintenanceCommits,
  PendingMoves,
} from "./maintenance-commit";
export type {
  CommitMatchesInput,
  CommitOutcome,
  EventCounts,
  MatchChange,
  MatchCommits,
  MatchedArticle,
  ReconsideredArticle,
} from "./match-commit";
export { changeLogExpiry } from "./match-commit";
export type { NewMessage } from "./message-items";
export type { PutOutcome } from "./message-numbering";
export type { FinishedAttempt, MessageClaim, MessageRepository, SharedMessageWrites } from "./message-repository";
export type {
  DigestedText,
  LateMark,
  SearchIndexRepository,
  SearchLevel,
  StoredDigest,
  WrittenArticle,
} from "./search-index-repository";
export { digestItem } from "./search-index-repository";
export { SEARCH_DIGEST_BUDGET } from "./search-page";
export type { SourceFetchUpdate, SourceRepository, SourceSettingsUpdate } from "./source-repository";
export type { SubscriptionRepository } from "./subscription-repository";
export type { IndexName } from "./table";
export { createTableInput, keyAttributes, SCHEMA_VERSION, sstDynamoArgs, TABLE_SCHEMA } from "./table";
export type { PagePosition, TwoWayPage, TwoWayPageRequest } from "./two-way-page";
export type { WebhookRepository } from "./webhook-repository";
export type { WindowEvents, WindowRequest } from "./window-events";
