import { type DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { Article, ArticleSummary } from "@eventwire/core";
import { type FilteredPage, type FilteredPageRequest, queryFilteredPage, type SortRange } from "./filtered-page";
import { batchGetItems, cancellationCodes, type Item, type Page, type PageKey, pickFields, toPageKey } from "./items";
import { ENTITY, keys } from "./keys";
import { queryAll } from "./query-all";
import { SCHEMA_VERSION } from "./table";
import { queryTwoWayPage, type TwoWayPage, type TwoWayPageRequest } from "./two-way-page";

const SUMMARY_FIELDS = [
  "id",
  "url",
  "guid",
  "sourceId",
  "sourceTitle",
  "title",
  "summary",
  "author",
  "language",
  "publishedAt",
  "dateInferred",
  "fetchedAt",
  "theme",
  "onTheme",
  "themeScore",
  "contentHash",
  "eventId",
  "explanation",
  "updatedAt",
] as const satisfies readonly (keyof ArticleSummary)[];

export type ArticleRepository = ReturnType<typeof createArticleRepository>;

export type PageRequest = { limit: number; after?: PageKey | null | undefined };

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

// The article item carries everything but the full text, which lives in a second item under the
// same partition. Listings then read small items: a Query page (1 MB at most, counted before any
// projection) holds a whole feed's worth of articles even when their texts are long.
/** The index keys of an article item; the theme and event ones follow its matching. */
export function articleIndexKeys(
  article: Pick<Article, "id" | "publishedAt" | "onTheme" | "theme" | "sourceId" | "eventId">,
): Item {
  const time = keys.byTime(article.publishedAt, article.id);
  return {
    gsi1pk: keys.articleCollection,
    gsi1sk: time,
    gsi2pk: article.onTheme ? keys.themeArticles(article.theme) : keys.offThemeArticles(article.theme),
    gsi2sk: time,
    gsi3pk: keys.sourceArticles(article.sourceId),
    gsi3sk: time,
    ...(article.eventId !== null ? { gsi4pk: keys.eventArticles(article.eventId), gsi4sk: time } : {}),
  };
}

/** The two items of an article: everything but the text, and the text. */
export function articleItems(article: Article): { summary: Item; text: Item } {
  const { text, ...summary } = article;
  return {
    summary: {
      ...keys.article(article.id),
      ...articleIndexKeys(article),
      type: ENTITY.article,
      schemaVersion: SCHEMA_VERSION,
      ...summary,
    },
    text: { ...keys.articleText(article.id), type: ENTITY.articleText, schemaVersion: SCHEMA_VERSION, text },
  };
}

/** Why a transaction was cancelled, by its first reason: a duplicate, a conflict, or other. */
function cancellation(error: unknown): "duplicate" | "conflict" | null {
  const codes = cancellationCodes(error);
  if (codes === null) return null;
  if (codes[0] === "ConditionalCheckFailed") return "duplicate";
  if (codes.includes("TransactionConflict")) return "conflict";
  return null;
}

function summaries(page: TwoWayPage<Item>): TwoWayPage<ArticleSummary> {
  return { ...page, items: page.items.map((item) => pickFields<ArticleSummary>(item, SUMMARY_FIELDS)) };
}

const CONFLICT_RETRIES = 3;

/** Normalised articles. Ids are deterministic, so every write is conditional and a repeat is a no-op. */
export function createArticleRepository(doc: DynamoDBDocumentClient, tableName: string) {
  /**
   * Up to `limit` items of one index partition, newest first. A Query page stops at 1 MB, so it
   * keeps reading until it has `limit` items or the partition ends.
   */
  async function queryNewest(
    index: "gsi1" | "gsi2" | "gsi3" | "gsi4",
    partition: string,
    request: PageRequest,
  ): Promise<Page<ArticleSummary>> {
    const items: ArticleSummary[] = [];
    let startKey: Item | undefined = request.after ?? undefined;
    do {
      const result = await doc.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: index,
          KeyConditionExpression: `${index}pk = :pk`,
          ExpressionAttributeValues: { ":pk": partition },
          ScanIndexForward: false,
          Limit: request.limit - items.length,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of result.Items ?? []) items.push(pickFields<ArticleSummary>(item, SUMMARY_FIELDS));
      startKey = result.LastEvaluatedKey;
    } while (items.length < request.limit && startKey !== undefined);
    return { items, nextKey: toPageKey(startKey) };
  }

  return {
    /**
     * Stores the article and its text together (one transaction, conditional on the article
     * being new), so an article is never stored without its text; says which happened.
     */
    async putIfAbsent(article: Article): Promise<"created" | "exists"> {
      const items = articleItems(article);
      for (let attempt = 1; ; attempt += 1) {
        try {
          await doc.send(
            new TransactWriteCommand({
              TransactItems: [
                { Put: { TableName: tableName, Item: items.summary, ConditionExpression: "attribute_not_exists(pk)" } },
                { Put: { TableName: tableName, Item: items.text } },
              ],
            }),
          );
          return "created";
        } catch (error) {
          const reason = cancellation(error);
          if (reason === "duplicate") return "exists";
          // Another writer holds the same article in a transaction right now; once it is done,
          // the retry finds either nothing (and writes) or the article (and reports it exists).
          if (reason === "conflict" && attempt < CONFLICT_RETRIES) {
            await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
            continue;
          }
          throw error;
        }
      }
    },

    /** Which of these ids are stored already: one cheap read before writing a whole feed. */
    async findExisting(ids: readonly string[]): Promise<Set<string>> {
      const items = await batchGetItems(
        doc,
        tableName,
        ids.map((id) => keys.article(id)),
        { projection: "id" },
      );
      return new Set(items.map((item) => String(item.id)));
    },

    /** The content hash of each of these ids that is stored: new, unchanged or edited, in one read. */
    async findStoredHashes(ids: readonly string[]): Promise<Map<string, { contentHash: string; sourceId: string }>> {
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

    /**
     * Replaces a stored article's title, summary and text with an edited version and stamps
     * `updatedAt`, if its content hash is still `expectedHash` (else another writer got there
     * first, and this is a no-op). Its event and matching are left as they are.
     */
    async updateContent(
      edited: Pick<Article, "id" | "theme" | "title" | "summary" | "text" | "contentHash"> & { updatedAt: string },
      expectedHash: string,
    ): Promise<"updated" | "unchanged"> {
      try {
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [
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
                  Item: {
                    ...keys.articleText(edited.id),
                    type: ENTITY.articleText,
                    schemaVersion: SCHEMA_VERSION,
                    text: edited.text,
                  },
                },
              },
            ],
          }),
        );
        return "updated";
      } catch (error) {
        if (cancellation(error) !== null) return "unchanged";
        throw error;
      }
    },

    /** One article with its full text, or null. */
    async get(id: string): Promise<Article | null> {
      const result = await doc.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": keys.article(id).pk },
        }),
      );
      const items = result.Items ?? [];
      const summary = items.find((item) => item.type === ENTITY.article);
      if (summary === undefined) return null;
      const text = items.find((item) => item.type === ENTITY.articleText)?.text;
      return { ...pickFields<ArticleSummary>(summary, SUMMARY_FIELDS), text: typeof text === "string" ? text : "" };
    },

    /** Every article, newest first, without full text. */
    listNewest(request: PageRequest): Promise<Page<ArticleSummary>> {
      return queryNewest("gsi1", keys.articleCollection, request);
    },

    /** On-theme articles of one theme, newest first, without full text. */
    listByTheme(themeId: string, request: PageRequest): Promise<Page<ArticleSummary>> {
      return queryNewest("gsi2", keys.themeArticles(themeId), request);
    },

    /** Off-theme articles of one theme, newest first, without full text. */
    listOffTheme(themeId: string, request: PageRequest): Promise<Page<ArticleSummary>> {
      return queryNewest("gsi2", keys.offThemeArticles(themeId), request);
    },

    /** Articles of one event, newest first, without full text. */
    listByEvent(eventId: string, request: PageRequest): Promise<Page<ArticleSummary>> {
      return queryNewest("gsi4", keys.eventArticles(eventId), request);
    },

    /** A theme's on-theme articles, newest first, paged either way (the theme feeds). */
    async pageByTheme(themeId: string, request: TwoWayPageRequest): Promise<TwoWayPage<ArticleSummary>> {
      return summaries(await queryTwoWayPage(doc, { tableName, index: "gsi2", partition: keys.themeArticles(themeId) }, request));
    },

    /** One event's articles, newest first, paged either way (the event feeds). */
    async pageByEvent(eventId: string, request: TwoWayPageRequest): Promise<TwoWayPage<ArticleSummary>> {
      return summaries(await queryTwoWayPage(doc, { tableName, index: "gsi4", partition: keys.eventArticles(eventId) }, request));
    },

    /** Articles by id without full text, in the order asked for; missing ids are left out. `consistent`: a strong read. */
    async getSummaries(ids: readonly string[], options: { consistent?: boolean } = {}): Promise<ArticleSummary[]> {
      const items = await batchGetItems(
        doc,
        tableName,
        [...new Set(ids)].map((id) => keys.article(id)),
        { consistent: options.consistent ?? false },
      );
      const found = new Map(items.map((item) => [String(item.id), pickFields<ArticleSummary>(item, SUMMARY_FIELDS)]));
      return ids.flatMap((id) => found.get(id) ?? []);
    },

    /**
     * Articles of one index partition published in `range`, newest first, without full text,
     * keeping those `accept` takes and reading at most `maxRead` items (see `queryFilteredPage`).
     */
    filterPage(
      where: ArticlePartition,
      range: SortRange,
      request: FilteredPageRequest<ArticleSummary>,
    ): Promise<FilteredPage<ArticleSummary>> {
      const read = (item: Item) => pickFields<ArticleSummary>(item, SUMMARY_FIELDS);
      return queryFilteredPage(doc, { tableName, ...articlePartition(where), range, read }, request);
    },

    /**
     * Articles by id with their full text, in the order asked for (missing ids left out), read
     * with strong consistency: what a maintenance pass re-reads of an event's articles.
     */
    async getFull(ids: readonly string[]): Promise<Article[]> {
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
        else if (item.type === ENTITY.article) summaries.set(id, pickFields<ArticleSummary>(item, SUMMARY_FIELDS));
      }
      return ids.flatMap((id) => {
        const summary = summaries.get(id);
        return summary === undefined ? [] : [{ ...summary, text: texts.get(id) ?? "" }];
      });
    },

    /** The ids of every article the event's index lists (read from the index: it may lag a write by a moment). */
    async idsByEvent(eventId: string): Promise<string[]> {
      const items = await queryAll(doc, {
        TableName: tableName,
        IndexName: "gsi4",
        KeyConditionExpression: "gsi4pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.eventArticles(eventId) },
        ProjectionExpression: "id",
      });
      return items.map((item) => String(item.id));
    },

    /** Articles of one source, newest first, without full text. */
    listBySource(sourceId: string, request: PageRequest): Promise<Page<ArticleSummary>> {
      return queryNewest("gsi3", keys.sourceArticles(sourceId), request);
    },
  };
}
