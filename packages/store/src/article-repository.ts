import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Article, ArticleSummary, MatchExplanation } from "@eventwire/core";
import { articleItems, summaryFromItem } from "./article-items";
import { type FilteredPage, type FilteredPageRequest, queryFilteredPage, type SortRange } from "./filtered-page";
import { batchGetItems, type Item, type Page, type PageKey, toPageKey } from "./items";
import { ENTITY, keys } from "./keys";
import { queryAll, queryRange, queryRangePage } from "./range-query";
import { SCHEMA_VERSION } from "./table";
import { cancellationCodes, type TransactItem, transact } from "./transaction";
import { queryTwoWayPage, type TwoWayPage, type TwoWayPageRequest } from "./two-way-page";

export type PageRequest = { limit: number; after?: PageKey | null | undefined };

/** An article's content as an edit replaces it. */
export type EditedArticle = Pick<Article, "id" | "theme" | "title" | "summary" | "text" | "contentHash"> & { updatedAt: string };

/** Normalised articles, stored and read; every write of them (here and inside the event commits) is built in this file. */
export type ArticleRepository = {
  /**
   * Stores the article and its text together (one transaction, conditional on the article
   * being new), so an article is never stored without its text; says which happened.
   */
  putIfAbsent(article: Article): Promise<"created" | "exists">;
  /** Which of these ids are stored already: one cheap read before writing a whole feed. */
  findExisting(ids: readonly string[]): Promise<Set<string>>;
  /** The content hash of each of these ids that is stored: new, unchanged or edited, in one read. */
  findStoredHashes(ids: readonly string[]): Promise<Map<string, { contentHash: string; sourceId: string }>>;
  /**
   * Replaces a stored article's title, summary and text with an edited version and stamps
   * `updatedAt`, if its content hash is still `expectedHash` (else another writer got there
   * first, and this is a no-op). Its event and matching are left as they are.
   */
  updateContent(edited: EditedArticle, expectedHash: string): Promise<"updated" | "unchanged">;
  /** One article with its full text, or null. */
  get(id: string): Promise<Article | null>;
  /** Every article, newest first, without full text. */
  listNewest(request: PageRequest): Promise<Page<ArticleSummary>>;
  /** On-theme articles of one theme, newest first, without full text. */
  listByTheme(themeId: string, request: PageRequest): Promise<Page<ArticleSummary>>;
  /** Off-theme articles of one theme, newest first, without full text. */
  listOffTheme(themeId: string, request: PageRequest): Promise<Page<ArticleSummary>>;
  /** Articles of one event, newest first, without full text. */
  listByEvent(eventId: string, request: PageRequest): Promise<Page<ArticleSummary>>;
  /** Articles of one source, newest first, without full text. */
  listBySource(sourceId: string, request: PageRequest): Promise<Page<ArticleSummary>>;
  /** A theme's on-theme articles, newest first, paged either way (the theme feeds). */
  pageByTheme(themeId: string, request: TwoWayPageRequest): Promise<TwoWayPage<ArticleSummary>>;
  /** One event's articles, newest first, paged either way (the event feeds). */
  pageByEvent(eventId: string, request: TwoWayPageRequest): Promise<TwoWayPage<ArticleSummary>>;
  /** Articles by id without full text, in the order asked for; missing ids are left out. `consistent`: a strong read. */
  getSummaries(ids: readonly string[], options?: { consistent?: boolean }): Promise<ArticleSummary[]>;
  /**
   * Articles of one index partition published in `range`, newest first, without full text,
   * keeping those `accept` takes and reading at most `maxRead` items (see `queryFilteredPage`).
   */
  filterPage(
    where: ArticlePartition,
    range: SortRange,
    request: FilteredPageRequest<ArticleSummary>,
  ): Promise<FilteredPage<ArticleSummary>>;
  /**
   * Articles by id with their full text, in the order asked for (missing ids left out), read
   * with strong consistency: what a maintenance pass re-reads of an event's articles.
   */
  getFull(ids: readonly string[]): Promise<Article[]>;
  /** The ids of every article the event's index lists (read from the index: it may lag a write by a moment). */
  idsByEvent(eventId: string): Promise<string[]>;
};

/**
 * Which index partition an article listing reads: every article, a theme's on- or off-theme
 * ones, one source's, or one event's. Each is ordered by publication time.
 */
export type ArticlePartition =
  | { kind: "all" }
  | { kind: "theme"; themeId: string; onTheme: boolean }
  | { kind: "source"; sourceId: string }
  | { kind: "event"; eventId: string };

function articlePartition(where: ArticlePartition): { index: "gsi1" | "gsi2" | "gsi3" | "gsi4"; partition: string } {
  switch (where.kind) {
    case "all":
      return { index: "gsi1", partition: keys.articleCollection };
    case "theme":
      return {
        index: "gsi2",
        partition: where.onTheme ? keys.themeArticles(where.themeId) : keys.offThemeArticles(where.themeId),
      };
    case "source":
      return { index: "gsi3", partition: keys.sourceArticles(where.sourceId) };
    case "event":
      return { index: "gsi4", partition: keys.eventArticles(where.eventId) };
  }
}

/** The sort-key range of articles published from `since` to `until` (ISO times, inclusive). */
export function publishedRange(since: string | null, until: string | null): SortRange {
  // Keys are "<time>#<id>"; ids are hex, so "~" sorts after every key of the same time.
  return { from: since ?? undefined, to: until === null ? undefined : `${until}#~` };
}

/**
 * The transaction items that store a new article: the article (only if it is new: the first
 * item holds the condition) and its text. `putIfAbsent` sends them alone; a match commit sends
 * them with the decision that placed the article.
 */
export function newArticleWrites(tableName: string, article: Article): TransactItem[] {
  const items = articleItems(article);
  return [
    { Put: { TableName: tableName, Item: items.summary, ConditionExpression: "attribute_not_exists(pk)" } },
    { Put: { TableName: tableName, Item: items.text } },
  ];
}

/**
 * The transaction item by which a stored off-theme article joins an event that claimed it, in
 * the theme's feeds from then on; only while it is still off-theme. It keeps the theme score it
 * was stored with; the explanation says why it joined.
 */
export function joinEventWrite(
  tableName: string,
  themeId: string,
  claimed: { articleId: string; eventId: string; explanation: MatchExplanation },
): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: keys.article(claimed.articleId),
      UpdateExpression:
        "SET onTheme = :true, eventId = :event, explanation = :explanation, gsi2pk = :themePk, gsi4pk = :eventPk, gsi4sk = gsi2sk",
      ConditionExpression: "attribute_exists(pk) AND onTheme = :false",
      ExpressionAttributeValues: {
        ":true": true,
        ":false": false,
        ":event": claimed.eventId,
        ":explanation": claimed.explanation,
        ":themePk": keys.themeArticles(themeId),
        ":eventPk": keys.eventArticles(claimed.eventId),
      },
    },
  };
}

/**
 * The transaction item that moves an article from one event to another (its `eventId` and its
 * place in the event's article index), only while it is still in `from`.
 */
export function moveArticleWrite(tableName: string, moves: { from: string; to: string }, articleId: string): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: keys.article(articleId),
      UpdateExpression: "SET eventId = :to, gsi4pk = :partition",
      ConditionExpression: "eventId = :from",
      ExpressionAttributeValues: { ":to": moves.to, ":from": moves.from, ":partition": keys.eventArticles(moves.to) },
    },
  };
}

function summaries(page: TwoWayPage<Item>): TwoWayPage<ArticleSummary> {
  return { ...page, items: page.items.map(summaryFromItem) };
}

/** Normalised articles. Ids are deterministic, so every write is conditional and a repeat is a no-op. */
export function createArticleRepository(doc: DynamoDBDocumentClient, tableName: string): ArticleRepository {
  /**
   * Up to `limit` items of one index partition, newest first. A Query page stops at 1 MB, so it
   * keeps reading until it has `limit` items or the partition ends.
   */
  async function queryNewest(
    index: "gsi1" | "gsi2" | "gsi3" | "gsi4",
    partition: string,
    request: PageRequest,
  ): Promise<Page<ArticleSummary>> {
    const { items, lastKey } = await queryRange(
      doc,
      { tableName, index, partition, newestFirst: true },
      { limit: request.limit, startKey: request.after ?? undefined },
    );
    return { items: items.map(summaryFromItem), nextKey: toPageKey(lastKey) };
  }

  return {
    async putIfAbsent(article) {
      // A writer holding the same article in a transaction right now is waited out by
      // `transact`; then the article is either absent (and written) or there (and exists).
      return (await transact(doc, newArticleWrites(tableName, article))) === null ? "created" : "exists";
    },

    async findExisting(ids) {
      const items = await batchGetItems(
        doc,
        tableName,
        ids.map((id) => keys.article(id)),
        { projection: "id" },
      );
      return new Set(items.map((item) => String(item.id)));
    },

    async findStoredHashes(ids) {
      const items = await batchGetItems(
        doc,
        tableName,
        ids.map((id) => keys.article(id)),
        { projection: "id, contentHash, sourceId" },
      );
      return new Map(
        items.map((item) => [String(item.id), { contentHash: String(item.contentHash), sourceId: String(item.sourceId) }]),
      );
    },

    async updateContent(edited, expectedHash) {
      const writes: TransactItem[] = [
        {
          Update: {
            TableName: tableName,
            Key: keys.article(edited.id),
            UpdateExpression: "SET title = :title, summary = :summary, contentHash = :hash, updatedAt = :at",
            ConditionExpression: "contentHash = :expected",
            ExpressionAttributeValues: {
              ":title": edited.title,
              ":summary": edited.summary,
              ":hash": edited.contentHash,
              ":at": edited.updatedAt,
              ":expected": expectedHash,
            },
          },
        },
        {
          Put: {
            TableName: tableName,
            Item: { ...keys.articleText(edited.id), type: ENTITY.articleText, schemaVersion: SCHEMA_VERSION, text: edited.text },
          },
        },
      ];
      try {
        return (await transact(doc, writes)) === null ? "updated" : "unchanged";
      } catch (error) {
        // Still meeting another writer of the article after the retries: its edit stands.
        if (cancellationCodes(error)?.includes("TransactionConflict")) return "unchanged";
        throw error;
      }
    },

    async get(id) {
      const { items } = await queryRangePage(doc, { tableName, partition: keys.article(id).pk });
      const summary = items.find((item) => item.type === ENTITY.article);
      if (summary === undefined) return null;
      const text = items.find((item) => item.type === ENTITY.articleText)?.text;
      return { ...summaryFromItem(summary), text: typeof text === "string" ? text : "" };
    },

    listNewest(request) {
      return queryNewest("gsi1", keys.articleCollection, request);
    },

    listByTheme(themeId, request) {
      return queryNewest("gsi2", keys.themeArticles(themeId), request);
    },

    listOffTheme(themeId, request) {
      return queryNewest("gsi2", keys.offThemeArticles(themeId), request);
    },

    listByEvent(eventId, request) {
      return queryNewest("gsi4", keys.eventArticles(eventId), request);
    },

    async pageByTheme(themeId, request) {
      return summaries(await queryTwoWayPage(doc, { tableName, index: "gsi2", partition: keys.themeArticles(themeId) }, request));
    },

    async pageByEvent(eventId, request) {
      return summaries(await queryTwoWayPage(doc, { tableName, index: "gsi4", partition: keys.eventArticles(eventId) }, request));
    },

    async getSummaries(ids, options = {}) {
      const items = await batchGetItems(
        doc,
        tableName,
        [...new Set(ids)].map((id) => keys.article(id)),
        { consistent: options.consistent ?? false },
      );
      const found = new Map(items.map((item) => [String(item.id), summaryFromItem(item)]));
      return ids.flatMap((id) => found.get(id) ?? []);
    },

    filterPage(where, range, request) {
      const read = (item: Item) => summaryFromItem(item);
      return queryFilteredPage(doc, { tableName, ...articlePartition(where), range, read }, request);
    },

    async getFull(ids) {
      const unique = [...new Set(ids)];
      const items = await batchGetItems(
        doc,
        tableName,
        unique.flatMap((id) => [keys.article(id), keys.articleText(id)]),
        { consistent: true },
      );
      const texts = new Map<string, string>();
      const summaries = new Map<string, ArticleSummary>();
      for (const item of items) {
        const id = String(item.pk).slice(keys.article("").pk.length);
        if (item.type === ENTITY.articleText) texts.set(id, typeof item.text === "string" ? item.text : "");
        else if (item.type === ENTITY.article) summaries.set(id, summaryFromItem(item));
      }
      return ids.flatMap((id) => {
        const summary = summaries.get(id);
        return summary === undefined ? [] : [{ ...summary, text: texts.get(id) ?? "" }];
      });
    },

    async idsByEvent(eventId) {
      const items = await queryAll(doc, { tableName, index: "gsi4", partition: keys.eventArticles(eventId), projection: "id" });
      return items.map((item) => String(item.id));
    },

    listBySource(sourceId, request) {
      return queryNewest("gsi3", keys.sourceArticles(sourceId), request);
    },
  };
}
