import { type DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { Article, EntityType, EventChange, EventMember, EventState, MatchExplanation } from "@eventwire/core";
import { articleItems } from "./article-repository";
import { type FilteredPage, type FilteredPageRequest, queryFilteredPage } from "./filtered-page";
import { batchGetItems, cancellationCodes, type Item, type Page, type PageKey, toPageKey } from "./items";
import { ENTITY, keys } from "./keys";
import { SCHEMA_VERSION, TABLE_SCHEMA } from "./table";
import { queryTwoWayPage, type TwoWayPage, type TwoWayPageRequest } from "./two-way-page";

export type EventRepository = ReturnType<typeof createEventRepository>;

/** An article an event claimed after it was stored off-theme. */
export type ReconsideredArticle = { articleId: string; explanation: MatchExplanation; eventId: string };

export type CommitMatchInput = {
  themeId: string;
  /** The theme's change sequence the decision was made on. */
  expectedSeq: number;
  article: Article;
  /** The event as it is after this article, or null when the article joins none. */
  event: EventState | null;
  /** The stored version the event grew from; null for a new event. */
  previousVersion: number | null;
  /** That version's counts (null for a new event): the change log keeps them for webhooks. */
  previousCounts: { articleCount: number; sourceCount: number } | null;
  reconsidered: readonly ReconsideredArticle[];
  /** For the change-log item's expiry. */
  now: Date;
};

/**
 * `stale`: another matcher changed the theme first (`sequence`), the event was written from an
 * older version (`event`), or a reconsidered article is no longer off-theme (`reconsidered`,
 * with their ids). Nothing was written; decide again on fresh state.
 */
export type CommitOutcome =
  | { kind: "committed"; seq: number }
  | { kind: "exists" }
  | { kind: "stale"; sequence: boolean; event: boolean; reconsidered: string[] };

/** A transaction holds at most 100 items; five go to the theme, the event, its change and the article. */
export const MAX_RECONSIDERED_PER_COMMIT = 90;
/** Change-log items outlive any matcher's catch-up by far; then DynamoDB's TTL removes them. */
const CHANGE_LOG_DAYS = 60;

const round = (value: number) => Math.round(value * 1e5) / 1e5;
const weightsToObject = (weights: Map<string, number>) =>
  Object.fromEntries([...weights].map(([term, weight]) => [term, round(weight)]));
const objectToWeights = (value: unknown) => new Map(Object.entries((value ?? {}) as Record<string, number>));

function toItem(event: EventState): Item {
  return {
    ...keys.event(event.id),
    gsi2pk: keys.themeEvents(event.theme),
    gsi2sk: keys.byTime(event.lastSeen, event.id),
    type: ENTITY.event,
    schemaVersion: SCHEMA_VERSION,
    id: event.id,
    theme: event.theme,
    version: event.version,
    seq: event.seq,
    title: event.title,
    centralArticleId: event.centralArticleId,
    centralTerms: weightsToObject(event.centralTerms),
    centralScore: round(event.centralScore),
    firstSeen: event.firstSeen,
    lastSeen: event.lastSeen,
    articleCount: event.articleCount,
    originalCount: event.originalCount,
    sourceCount: event.sourceIds.length,
    sourceIds: event.sourceIds,
    titleTerms: weightsToObject(event.titleTerms),
    bodyTerms: weightsToObject(event.bodyTerms),
    entities: Object.fromEntries(
      [...event.entities].map(([key, entry]) => [key, { type: entry.type, weight: round(entry.weight) }]),
    ),
    members: event.members,
  };
}

/** A change-log item in full. Items written before the log kept counts read as "updated" with no counts. */
function changeFromItem(themeId: string, item: Item): EventChange {
  const after = (item.after as EventChange["after"] | undefined) ?? { articleCount: 0, sourceCount: 0 };
  return {
    themeId,
    seq: Number(item.seq),
    at: String(item.at ?? new Date(0).toISOString()),
    eventId: String(item.eventId),
    kind: item.kind === "created" ? "created" : "updated",
    articleId: String(item.articleId ?? ""),
    claimedArticleIds: (item.claimedArticleIds ?? []) as string[],
    before: (item.before ?? null) as EventChange["before"],
    after,
  };
}

/** An event item read back into the matcher's shape. */
export function eventFromItem(item: Item): EventState {
  const entities = new Map<string, { type: EntityType; weight: number }>(
    Object.entries((item.entities ?? {}) as Record<string, { type: EntityType; weight: number }>),
  );
  return {
    id: String(item.id),
    theme: String(item.theme),
    version: Number(item.version),
    seq: Number(item.seq),
    title: String(item.title),
    centralArticleId: String(item.centralArticleId),
    centralTerms: objectToWeights(item.centralTerms),
    centralScore: Number(item.centralScore),
    firstSeen: String(item.firstSeen),
    lastSeen: String(item.lastSeen),
    articleCount: Number(item.articleCount),
    originalCount: Number(item.originalCount),
    sourceIds: (item.sourceIds ?? []) as string[],
    titleTerms: objectToWeights(item.titleTerms),
    bodyTerms: objectToWeights(item.bodyTerms),
    entities,
    members: (item.members ?? []) as EventMember[],
  };
}

/** Events, the theme's change sequence, and the transaction that stores a matching decision. */
export function createEventRepository(doc: DynamoDBDocumentClient, tableName: string) {
  /** A page of a theme's events from gsi2, most recently active first. */
  async function query(input: { partition: string; limit: number; after?: Item }) {
    const result = await doc.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: "gsi2",
        KeyConditionExpression: "gsi2pk = :pk",
        ExpressionAttributeValues: { ":pk": input.partition },
        ScanIndexForward: false,
        Limit: input.limit,
        ExclusiveStartKey: input.after,
      }),
    );
    return { items: (result.Items ?? []).map(eventFromItem), next: result.LastEvaluatedKey };
  }

  async function readChanges(themeId: string, options: { after: number; newestFirst: boolean; limit: number }) {
    const changes: { seq: number; eventId: string }[] = [];
    let startKey: Item | undefined;
    const { pk } = keys.matcher(themeId);
    do {
      const result = await doc.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
          ExpressionAttributeValues: {
            ":pk": pk,
            ":from": keys.change(themeId, options.after + 1).sk,
            ":to": `${keys.changePrefix}~`,
          },
          ConsistentRead: true,
          ScanIndexForward: !options.newestFirst,
          Limit: Number.isFinite(options.limit) ? Math.min(1000, options.limit - changes.length) : 1000,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of result.Items ?? []) changes.push({ seq: Number(item.seq), eventId: String(item.eventId) });
      startKey = result.LastEvaluatedKey;
    } while (startKey !== undefined && changes.length < options.limit);
    return changes;
  }

  return {
    async get(id: string): Promise<EventState | null> {
      const result = await doc.send(new GetCommand({ TableName: tableName, Key: keys.event(id), ConsistentRead: true }));
      return result.Item ? eventFromItem(result.Item) : null;
    },

    /** A theme's events, the most recently active first. */
    async listByTheme(themeId: string, request: { limit: number; after?: PageKey | null }): Promise<Page<EventState>> {
      const items: EventState[] = [];
      let after: Item | undefined = request.after ?? undefined;
      do {
        const page = await query({ partition: keys.themeEvents(themeId), limit: request.limit - items.length, after });
        items.push(...page.items);
        after = page.next;
      } while (items.length < request.limit && after !== undefined);
      return { items, nextKey: toPageKey(after) };
    },

    /**
     * A theme's events last active at or after `activeSince` (an ISO time; null for all), the
     * most recently active first, keeping those `accept` takes and reading at most `maxRead`
     * events (see `queryFilteredPage`).
     */
    filterByTheme(
      themeId: string,
      activeSince: string | null,
      request: FilteredPageRequest<EventState>,
    ): Promise<FilteredPage<EventState>> {
      return queryFilteredPage(
        doc,
        {
          tableName,
          index: "gsi2",
          partition: keys.themeEvents(themeId),
          range: { from: activeSince ?? undefined },
          read: eventFromItem,
        },
        request,
      );
    },

    /**
     * A theme's events, the most recently active first, paged either way (the event feeds);
     * with `minSources`, only those reported by at least that many distinct sources.
     */
    async pageByTheme(themeId: string, request: TwoWayPageRequest & { minSources?: number }): Promise<TwoWayPage<EventState>> {
      const minSources = request.minSources ?? 0;
      const filter =
        minSources > 1 ? { expression: "sourceCount >= :minSources", values: { ":minSources": minSources } } : undefined;
      const page = await queryTwoWayPage(
        doc,
        { tableName, index: "gsi2", partition: keys.themeEvents(themeId), ...(filter ? { filter } : {}) },
        request,
      );
      return { ...page, items: page.items.map(eventFromItem) };
    },

    /**
     * The theme's changes after sequence `seq`, oldest first: which event each one changed.
     * Read from the table with strong consistency, so none is missed while indexes catch up.
     */
    async changesSince(themeId: string, seq: number): Promise<{ seq: number; eventId: string }[]> {
      return readChanges(themeId, { after: seq, newestFirst: false, limit: Number.POSITIVE_INFINITY });
    },

    /**
     * Up to `limit` of the theme's changes after `seq`, oldest first, in full (the webhook
     * outbox), read with strong consistency.
     */
    async changeRecordsSince(themeId: string, seq: number, limit: number): Promise<EventChange[]> {
      const result = await doc.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
          ExpressionAttributeValues: {
            ":pk": keys.matcher(themeId).pk,
            ":from": keys.change(themeId, seq + 1).sk,
            ":to": `${keys.changePrefix}~`,
          },
          ConsistentRead: true,
          Limit: limit,
        }),
      );
      return (result.Items ?? []).map((item) => changeFromItem(themeId, item));
    },

    /** The latest `limit` changes of the theme, newest first. */
    async latestChanges(themeId: string, limit: number): Promise<{ seq: number; eventId: string }[]> {
      return readChanges(themeId, { after: 0, newestFirst: true, limit });
    },

    /** Events by id, read with strong consistency (missing ids are left out). */
    async getMany(ids: readonly string[]): Promise<EventState[]> {
      const items = await batchGetItems(
        doc,
        tableName,
        ids.map((id) => keys.event(id)),
        { consistent: true },
      );
      return items.map(eventFromItem);
    },

    /** The titles of events by id (missing ids are left out): a small read for naming them. */
    async titles(ids: readonly string[]): Promise<Map<string, string>> {
      const keyList = [...new Set(ids)].map((id) => keys.event(id));
      const items = await batchGetItems(doc, tableName, keyList, { projection: "id, title" });
      return new Map(items.map((item) => [String(item.id), String(item.title)]));
    },

    /**
     * When the theme's events last changed (an event opened or grew, or claimed articles), or
     * null before its first event. An article that joins no event changes none of its feeds.
     */
    async changedAt(themeId: string): Promise<string | null> {
      const result = await doc.send(new GetCommand({ TableName: tableName, Key: keys.matcher(themeId) }));
      return typeof result.Item?.changedAt === "string" ? result.Item.changedAt : null;
    },

    /** The theme's change sequence: 0 before its first event. */
    async sequence(themeId: string): Promise<number> {
      const result = await doc.send(new GetCommand({ TableName: tableName, Key: keys.matcher(themeId), ConsistentRead: true }));
      return result.Item ? Number(result.Item.seq) : 0;
    },

    /**
     * Stores a matching decision atomically. The theme's sequence must still be `expectedSeq`:
     * with an event change it moves to the next number (and a change-log item records which
     * event changed); without one (an article judged off-theme after looking at events) it is
     * only checked. The event is written over the version it grew from, the article unless it
     * exists, and any reconsidered articles join the event. Nothing is written when any
     * condition fails; the outcome says which kind failed.
     */
    async commitMatch(input: CommitMatchInput): Promise<CommitOutcome> {
      if (input.reconsidered.length > MAX_RECONSIDERED_PER_COMMIT) {
        throw new Error(
          `a match can reconsider at most ${MAX_RECONSIDERED_PER_COMMIT} articles (got ${input.reconsidered.length})`,
        );
      }
      const seq = input.expectedSeq + 1;
      const sequenceCondition = input.expectedSeq === 0 ? "attribute_not_exists(pk) OR seq = :expected" : "seq = :expected";
      const article = articleItems(input.article);
      const items: {
        item: Record<string, unknown>;
        role: "sequence" | "event" | "change" | "article" | "text" | "reconsidered";
        id?: string;
      }[] = [];
      if (input.event === null) {
        items.push({
          role: "sequence",
          item: {
            ConditionCheck: {
              TableName: tableName,
              Key: keys.matcher(input.themeId),
              ConditionExpression: sequenceCondition,
              ExpressionAttributeValues: { ":expected": input.expectedSeq },
            },
          },
        });
      } else {
        const event = { ...input.event, seq, version: (input.previousVersion ?? 0) + 1 };
        items.push(
          {
            role: "sequence",
            item: {
              Update: {
                TableName: tableName,
                Key: keys.matcher(input.themeId),
                // changedAt: when anything a theme's feeds and pages show last changed.
                UpdateExpression: "SET seq = :next, changedAt = :changedAt, #type = :type, schemaVersion = :version",
                ConditionExpression: sequenceCondition,
                ExpressionAttributeNames: { "#type": "type" },
                ExpressionAttributeValues: {
                  ":next": seq,
                  ":changedAt": input.now.toISOString(),
                  ":expected": input.expectedSeq,
                  ":type": ENTITY.matcher,
                  ":version": SCHEMA_VERSION,
                },
              },
            },
          },
          {
            role: "event",
            item: {
              Put: {
                TableName: tableName,
                Item: toItem(event),
                ...(input.previousVersion === null
                  ? { ConditionExpression: "attribute_not_exists(pk)" }
                  : {
                      ConditionExpression: "version = :previous",
                      ExpressionAttributeValues: { ":previous": input.previousVersion },
                    }),
              },
            },
          },
          {
            role: "change",
            item: {
              Put: {
                TableName: tableName,
                // The change is also the webhook outbox: written in the same transaction as the
                // article and the event, it is turned into messages later (fan-out), so a crash
                // between storing and alerting loses nothing.
                Item: {
                  ...keys.change(input.themeId, seq),
                  type: ENTITY.change,
                  schemaVersion: SCHEMA_VERSION,
                  seq,
                  eventId: event.id,
                  at: input.now.toISOString(),
                  kind: input.previousVersion === null ? "created" : "updated",
                  articleId: input.article.id,
                  claimedArticleIds: input.reconsidered.map((claimed) => claimed.articleId),
                  before: input.previousVersion === null ? null : input.previousCounts,
                  after: { articleCount: event.articleCount, sourceCount: event.sourceIds.length },
                  [TABLE_SCHEMA.ttlAttribute]: Math.floor(input.now.getTime() / 1000) + CHANGE_LOG_DAYS * 86_400,
                },
              },
            },
          },
        );
      }
      items.push(
        {
          role: "article",
          item: { Put: { TableName: tableName, Item: article.summary, ConditionExpression: "attribute_not_exists(pk)" } },
        },
        { role: "text", item: { Put: { TableName: tableName, Item: article.text } } },
        ...input.reconsidered.map((claimed) => ({
          role: "reconsidered" as const,
          id: claimed.articleId,
          item: {
            Update: {
              TableName: tableName,
              Key: keys.article(claimed.articleId),
              // The article keeps the theme score it was stored with; the explanation says why it joined.
              UpdateExpression:
                "SET onTheme = :true, eventId = :event, explanation = :explanation, gsi2pk = :themePk, gsi4pk = :eventPk, gsi4sk = gsi2sk",
              ConditionExpression: "attribute_exists(pk) AND onTheme = :false",
              ExpressionAttributeValues: {
                ":true": true,
                ":false": false,
                ":event": claimed.eventId,
                ":explanation": claimed.explanation,
                ":themePk": keys.themeArticles(input.themeId),
                ":eventPk": keys.eventArticles(claimed.eventId),
              },
            },
          },
        })),
      );
      for (let attempt = 1; ; attempt += 1) {
        try {
          await doc.send(new TransactWriteCommand({ TransactItems: items.map((entry) => entry.item) }));
          return input.event === null ? { kind: "committed", seq: input.expectedSeq } : { kind: "committed", seq };
        } catch (error) {
          const codes = cancellationCodes(error);
          if (codes === null) throw error;
          const failed = (role: (typeof items)[number]["role"]) =>
            items.filter((entry, index) => entry.role === role && codes[index] === "ConditionalCheckFailed");
          if (failed("article").length > 0) return { kind: "exists" };
          if (codes.some((code) => code === "ConditionalCheckFailed")) {
            return {
              kind: "stale",
              sequence: failed("sequence").length > 0,
              event: failed("event").length > 0,
              reconsidered: failed("reconsidered").map((entry) => entry.id as string),
            };
          }
          if (codes.includes("TransactionConflict") && attempt < 4) {
            await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
            continue;
          }
          throw error;
        }
      }
    },
  };
}
