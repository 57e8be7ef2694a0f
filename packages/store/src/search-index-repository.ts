import { type DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { addToDigest, createDigest, isLateWrite, type TermDigest, type TimeBucket } from "@eventwire/core";
import { batchWriteItems } from "./batch-write";
import { type Item, isConditionFailure } from "./items";
import { ENTITY, keys } from "./keys";
import { queryAll, queryRange, queryRangePage } from "./range-query";
import { SCHEMA_VERSION } from "./table";

// The search index: per slot and per UTC day of publication time, a digest (Bloom filter) of
// the search terms of every article published in it, written once the bucket has closed; and
// a late mark for each article written into a bucket that may be digested already, until the
// digests hold its terms. See docs/ARCHITECTURE.md (search index).

export type SearchLevel = "slot" | "day";

/** A stored digest: its bucket, its filter, how many articles it was built from, and its version (one per write). */
export type StoredDigest = TimeBucket & { level: SearchLevel; digest: TermDigest; articles: number; version: number };

/** An article a writer marked late: its listing sort key (`<publishedAt>#<id>`). */
export type LateMark = { sortKey: string; articleId: string; publishedAt: string; at: string };

/** An article as the index digests it. */
export type DigestedText = { id: string; publishedAt: string; title: string; summary: string };

/** What may have to be marked: an article's id and publication time, and when it is written. */
export type WrittenArticle = { id: string; publishedAt: string; writtenAt: string };

export type SearchIndexRepository = {
  /**
   * Leaves a late mark for each of these articles published long enough before it is written
   * that its bucket may be digested (`isLateWrite`); called before the article is written, so a
   * crash in between leaves a mark (a bucket read for nothing) and never a missed article.
   */
  markLate(articles: readonly WrittenArticle[]): Promise<void>;
  /** The digests of a level whose buckets start from `fromStart` to `toStart` (inclusive, either open), newest first. */
  digests(
    level: SearchLevel,
    range: { fromStart?: string | undefined; toStart?: string | undefined },
    limit: number,
  ): Promise<StoredDigest[]>;
  /** Sort keys of late marks from `from` (inclusive) to below `below`, newest first, up to `limit`; `more`: some were left. */
  lateMarksIn(range: { from?: string | undefined; below: string }, limit: number): Promise<{ sortKeys: string[]; more: boolean }>;
  /** The oldest and newest slot digests' buckets (null: none yet). */
  builtSlots(): Promise<{ oldest: TimeBucket; newest: TimeBucket } | null>;
  /** The publication time of the oldest stored article (null: none). */
  oldestArticle(): Promise<string | null>;
  /** Every article published from `from` to before `to` (ISO times), as the index digests it. */
  texts(from: string, to: string): Promise<DigestedText[]>;
  /** Stores a bucket's digest of these terms, unless one is stored already (a concurrent build). */
  putDigest(level: SearchLevel, bucket: TimeBucket, terms: ReadonlySet<string>, articles: number): Promise<"created" | "exists">;
  /** Late marks, oldest first, up to `limit`, read strongly. */
  pendingLateMarks(limit: number): Promise<LateMark[]>;
  /**
   * Adds terms to a stored digest, if it was not written meanwhile (else `conflict`: read again
   * next time); `absent` when the bucket has no digest yet.
   */
  addTerms(
    level: SearchLevel,
    start: string,
    terms: readonly string[],
    articles: number,
  ): Promise<"added" | "absent" | "conflict">;
  /** Deletes late marks the digests now hold. */
  clearLateMarks(sortKeys: readonly string[]): Promise<void>;
};

/** A bucket's digest as an item (what a build writes). */
export function digestItem(level: SearchLevel, bucket: TimeBucket, digest: TermDigest, articles: number, version: number): Item {
  return {
    ...keys.searchDigest(level, bucket.start),
    type: ENTITY.searchDigest,
    schemaVersion: SCHEMA_VERSION,
    bucketEnd: bucket.end,
    bits: digest.bits,
    hashes: digest.hashes,
    articles,
    version,
  };
}

function digestFromItem(item: Item): StoredDigest {
  return {
    level: item.pk === keys.searchDigests("slot") ? "slot" : "day",
    start: String(item.sk),
    end: String(item.bucketEnd),
    digest: { bits: item.bits as Uint8Array, hashes: Number(item.hashes) },
    articles: Number(item.articles),
    version: Number(item.version),
  };
}

/** The search index over one table. */
export function createSearchIndexRepository(doc: DynamoDBDocumentClient, tableName: string): SearchIndexRepository {
  async function edgeSlot(newestFirst: boolean): Promise<TimeBucket | null> {
    const page = await queryRangePage(
      doc,
      { tableName, partition: keys.searchDigests("slot"), newestFirst, projection: "sk, bucketEnd" },
      { limit: 1 },
    );
    const item = page.items[0];
    return item === undefined ? null : { start: String(item.sk), end: String(item.bucketEnd) };
  }

  return {
    async markLate(articles) {
      const late = articles.filter((article) => isLateWrite(article.publishedAt, article.writtenAt));
      if (late.length === 0) return;
      await batchWriteItems(
        doc,
        tableName,
        late.map((article) => ({
          put: {
            ...keys.lateMark(keys.byTime(article.publishedAt, article.id)),
            type: ENTITY.lateMark,
            schemaVersion: SCHEMA_VERSION,
            articleId: article.id,
            publishedAt: article.publishedAt,
            at: article.writtenAt,
          },
        })),
      );
    },

    async digests(level, range, limit) {
      const { items } = await queryRange(
        doc,
        {
          tableName,
          partition: keys.searchDigests(level),
          range: { from: range.fromStart, to: range.toStart },
          newestFirst: true,
        },
        { limit },
      );
      return items.map(digestFromItem);
    },

    async lateMarksIn(range, limit) {
      const { items, lastKey } = await queryRange(
        doc,
        {
          tableName,
          partition: keys.lateMarks,
          range: { from: range.from, to: range.below },
          newestFirst: true,
          projection: "sk",
        },
        { limit: limit + 1 },
      );
      // The range's top is inclusive in the query; a mark exactly at `below` is above the range.
      const sortKeys = items.map((item) => String(item.sk)).filter((key) => key !== range.below);
      return { sortKeys: sortKeys.slice(0, limit), more: sortKeys.length > limit || lastKey !== undefined };
    },

    async builtSlots() {
      const [oldest, newest] = await Promise.all([edgeSlot(false), edgeSlot(true)]);
      return oldest === null || newest === null ? null : { oldest, newest };
    },

    async oldestArticle() {
      const page = await queryRangePage(
        doc,
        { tableName, index: "gsi1", partition: keys.articleCollection, projection: "publishedAt" },
        { limit: 1 },
      );
      const item = page.items[0];
      return item === undefined ? null : String(item.publishedAt);
    },

    async texts(from, to) {
      // Sort keys are "<time>#<id>": "<to>" itself sorts before every key of time `to`.
      const items = await queryAll(doc, {
        tableName,
        index: "gsi1",
        partition: keys.articleCollection,
        range: { from, to },
        projection: "id, publishedAt, title, summary",
      });
      return items.map((item) => ({
        id: String(item.id),
        publishedAt: String(item.publishedAt),
        title: String(item.title ?? ""),
        summary: String(item.summary ?? ""),
      }));
    },

    async putDigest(level, bucket, terms, articles) {
      try {
        await doc.send(
          new PutCommand({
            TableName: tableName,
            Item: digestItem(level, bucket, createDigest(terms), articles, 1),
            ConditionExpression: "attribute_not_exists(pk)",
          }),
        );
        return "created";
      } catch (error) {
        if (isConditionFailure(error)) return "exists";
        throw error;
      }
    },

    async pendingLateMarks(limit) {
      const { items } = await queryRange(doc, { tableName, partition: keys.lateMarks, consistent: true }, { limit });
      return items.map((item) => ({
        sortKey: String(item.sk),
        articleId: String(item.articleId),
        publishedAt: String(item.publishedAt),
        at: String(item.at),
      }));
    },

    async addTerms(level, start, terms, articles) {
      const found = await doc.send(
        new GetCommand({ TableName: tableName, Key: keys.searchDigest(level, start), ConsistentRead: true }),
      );
      if (found.Item === undefined) return "absent";
      const stored = digestFromItem(found.Item);
      addToDigest(stored.digest, terms);
      try {
        await doc.send(
          new PutCommand({
            TableName: tableName,
            Item: digestItem(level, stored, stored.digest, stored.articles + articles, stored.version + 1),
            ConditionExpression: "version = :version",
            ExpressionAttributeValues: { ":version": stored.version },
          }),
        );
        return "added";
      } catch (error) {
        if (isConditionFailure(error)) return "conflict";
        throw error;
      }
    },

    async clearLateMarks(sortKeys) {
      await batchWriteItems(
        doc,
        tableName,
        sortKeys.map((sortKey) => ({ delete: keys.lateMark(sortKey) })),
      );
    },
  };
}
