import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Article, ArticleSummary } from "@eventwire/core";
import { summaryFromItem } from "./article-items";
import { judgementsOf, membershipEditWrites, membershipThemes, readAsTheme, sameMemberships } from "./article-memberships";
import { newArticleWrites } from "./article-writes";
import { type FilteredPage, type FilteredPageRequest, queryFilteredPage, type SortRange } from "./filtered-page";
import { batchGetItems, type Item, type Page, type PageKey, toPageKey } from "./items";
import { ENTITY, keys } from "./keys";
import { queryAll, queryRange } from "./range-query";
import { createSearchIndexRepository } from "./search-index-repository";
import { querySearchPage } from "./search-page";
import { SCHEMA_VERSION } from "./table";
import { cancellationCodes, type TransactItem, transact } from "./transaction";
import { queryTwoWayPage, type TwoWayPage, type TwoWayPageRequest } from "./two-way-page";

export type PageRequest = { limit: number; after?: PageKey | null | undefined };

/**
 * An article's content as an edit replaces it; `memberships`: the further themes whose
 * membership items copy its listing fields (as `findStoredHashes` read them).
 */
export type EditedArticle = Pick<Article, "id" | "theme" | "title" | "summary" | "text" | "contentHash"> & {
  /** Its publication time as stored (its place in the listings, which an edit keeps). */
  publishedAt: string;
  updatedAt: string;
  memberships: readonly string[];
};

/** What one read tells of a stored article: its content hash and source, its own theme and the themes of its memberships. */
type StoredArticleState = { contentHash: string; sourceId: string; publishedAt: string; theme: string; memberships: string[] };

/** The options of reads by id: a strong read; `themeId`: each article as that theme judged it (left out where it has not). */
type ReadOptions = { consistent?: boolean; themeId?: string };

/** Normalised articles, stored and read; every write of them (here and inside the event commits) is built in this file. */
export type ArticleRepository = {
  /**
   * Stores the article and its text together (one transaction, conditional on the article
   * being new), so an article is never stored without its text; says which happened.
   */
  putIfAbsent(article: Article): Promise<"created" | "exists">;
  /** Which of these ids are stored already: one cheap read before writing a whole feed. */
  findExisting(ids: readonly string[]): Promise<Set<string>>;
  /**
   * The content hash of each of these ids that is stored (new, unchanged or edited) and the
   * themes that have judged it, in one read.
   */
  findStoredHashes(ids: readonly string[]): Promise<Map<string, StoredArticleState>>;
  /**
   * Replaces a stored article's title, summary and text (and its memberships' copies) with an
   * edited version and stamps `updatedAt`, if its content hash is still `expectedHash` and no
   * theme has judged it since (else another writer got there first, and this is a no-op). Its
   * events and matching are left as they are.
   */
  updateContent(edited: EditedArticle, expectedHash: string): Promise<"updated" | "unchanged">;
  /** One article with its full text, or null. */
  get(id: string): Promise<Article | null>;
  /** One article with its full text and its judgement by each theme that judged it (its own first), or null. */
  getJudged(id: string): Promise<{ article: Article; judgements: ArticleSummary[] } | null>;
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
  /** Articles by id without full text, in the order asked for; missing ids are left out (see `ReadOptions`). */
  getSummaries(ids: readonly string[], options?: ReadOptions): Promise<ArticleSummary[]>;
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
   * `filterPage` for a search (`terms`, all of which `accept` requires): the same articles in the
   * same order, skipping the stretches of time the search index says hold none of the terms
   * (see search-page.ts); its page keys are its own.
   */
  searchPage(
    where: ArticlePartition,
    range: SortRange,
    terms: readonly string[],
    request: FilteredPageRequest<ArticleSummary>,
  ): Promise<FilteredPage<ArticleSummary>>;
  /**
   * Articles by id with their full text, in the order asked for (missing ids left out), read
   * with strong consistency: what a maintenance pass re-reads of an event's articles. With
   * `themeId`, each as that theme judged it (left out where it has not).
   */
  getFull(ids: readonly string[], themeId?: string): Promise<Article[]>;
  /** The ids of every article the event's index lists (read from the index: it may lag a write by a moment). */
  idsByEvent(eventId: string): Promise<string[]>;
};

/**
 * Which index partition an article listing reads: every article, a theme's on- or off-theme
 * ones, one source's, or one event's. Each is ordered by publication time. The first and the
 * third list each article once (its article item); with `judgedBy`, only the articles that theme
 * judged, each read as that theme judged it.
 */
export type ArticlePartition =
  | { kind: "all"; judgedBy?: string | undefined }
  | { kind: "theme"; themeId: string; onTheme: boolean }
  | { kind: "source"; sourceId: string; judgedBy?: string | undefined }
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

function summaries(page: TwoWayPage<Item>): TwoWayPage<ArticleSummary> {
  return { ...page, items: page.items.map(summaryFromItem) };
}

/** Normalised articles. Ids are deterministic, so every write is conditional and a repeat is a no-op. */
export function createArticleRepository(doc: DynamoDBDocumentClient, tableName: string): ArticleRepository {
  const searchIndex = createSearchIndexRepository(doc, tableName);

  /** How a listing reads its items: as stored, or (`judgedBy`) as that theme judged them. */
  function readerOf(where: ArticlePartition) {
    const read = (item: Item) => summaryFromItem(item);
    const judgedBy = where.kind === "all" || where.kind === "source" ? where.judgedBy : undefined;
    const readPage =
      judgedBy === undefined ? undefined : (items: readonly Item[]) => readAsTheme(doc, tableName, judgedBy, items);
    return { read, readPage };
  }

  /** Article items as summaries: as stored, or as one theme judged them (those it has not, left out). */
  async function asTheme(items: readonly Item[], themeId: string | undefined, consistent: boolean) {
    if (themeId === undefined) return items.map(summaryFromItem);
    return (await readAsTheme(doc, tableName, themeId, items, { consistent })).flatMap((summary) => summary ?? []);
  }

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

  async function getJudged(id: string) {
    // The article's partition holds its item, its text and its memberships: one read.
    const items = await queryAll(doc, { tableName, partition: keys.article(id).pk });
    const summary = items.find((item) => item.type === ENTITY.article);
    if (summary === undefined) return null;
    const text = items.find((item) => item.type === ENTITY.articleText)?.text;
    const article = { ...summaryFromItem(summary), text: typeof text === "string" ? text : "" };
    return { article, judgements: judgementsOf(items) };
  }

  return {
    async putIfAbsent(article) {
      await searchIndex.markLate([{ id: article.id, publishedAt: article.publishedAt, writtenAt: article.fetchedAt }]);
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
        { projection: "id, contentHash, sourceId, publishedAt, theme, judged" },
      );
      return new Map(
        items.map((item) => [
          String(item.id),
          {
            contentHash: String(item.contentHash),
            sourceId: String(item.sourceId),
            publishedAt: String(item.publishedAt),
            theme: String(item.theme),
            memberships: membershipThemes(item),
          },
        ]),
      );
    },

    async updateContent(edited, expectedHash) {
      const unchangedMemberships = sameMemberships(edited.memberships);
      const writes: TransactItem[] = [
        {
          Update: {
            TableName: tableName,
            Key: keys.article(edited.id),
            UpdateExpression: "SET title = :title, summary = :summary, contentHash = :hash, updatedAt = :at",
            ConditionExpression: `contentHash = :expected AND ${unchangedMemberships.expression}`,
            ExpressionAttributeValues: {
              ":title": edited.title,
              ":summary": edited.summary,
              ":hash": edited.contentHash,
              ":at": edited.updatedAt,
              ":expected": expectedHash,
              ...unchangedMemberships.values,
            },
          },
        },
        {
          Put: {
            TableName: tableName,
            Item: { ...keys.articleText(edited.id), type: ENTITY.articleText, schemaVersion: SCHEMA_VERSION, text: edited.text },
          },
        },
        ...membershipEditWrites(tableName, edited, edited.memberships),
      ];
      // New words in an article its bucket's digests may have been built without.
      await searchIndex.markLate([{ id: edited.id, publishedAt: edited.publishedAt, writtenAt: edited.updatedAt }]);
      try {
        return (await transact(doc, writes)) === null ? "updated" : "unchanged";
      } catch (error) {
        // Still meeting another writer of the article after the retries: its edit stands.
        if (cancellationCodes(error)?.includes("TransactionConflict")) return "unchanged";
        throw error;
      }
    },

    async get(id) {
      return (await getJudged(id))?.article ?? null;
    },

    getJudged,

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
      const consistent = options.consistent ?? false;
      const items = await batchGetItems(
        doc,
        tableName,
        [...new Set(ids)].map((id) => keys.article(id)),
        { consistent },
      );
      const found = new Map((await asTheme(items, options.themeId, consistent)).map((summary) => [summary.id, summary]));
      return ids.flatMap((id) => found.get(id) ?? []);
    },

    filterPage(where, range, request) {
      return queryFilteredPage(doc, { tableName, ...articlePartition(where), range, ...readerOf(where) }, request);
    },

    searchPage(where, range, terms, request) {
      return querySearchPage(
        doc,
        searchIndex,
        { tableName, ...articlePartition(where), range, terms, ...readerOf(where) },
        request,
      );
    },

    async getFull(ids, themeId) {
      const unique = [...new Set(ids)];
      const items = await batchGetItems(
        doc,
        tableName,
        unique.flatMap((id) => [keys.article(id), keys.articleText(id)]),
        { consistent: true },
      );
      const texts = new Map<string, string>();
      const ownItems: Item[] = [];
      for (const item of items) {
        const id = String(item.pk).slice(keys.article("").pk.length);
        if (item.type === ENTITY.articleText) texts.set(id, typeof item.text === "string" ? item.text : "");
        else if (item.type === ENTITY.article) ownItems.push(item);
      }
      const summaries = new Map((await asTheme(ownItems, themeId, true)).map((summary) => [summary.id, summary]));
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
