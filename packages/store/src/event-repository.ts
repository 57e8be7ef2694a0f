import { gunzipSync, gzipSync } from "node:zlib";
import { type DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { Article, EntityType, EventChange, EventMember, EventOutlet, EventState, MatchExplanation } from "@eventwire/core";
import { articleItems } from "./article-repository";
import { type FilteredPage, type FilteredPageRequest, queryFilteredPage } from "./filtered-page";
import {
  batchGetItems,
  cancellationCodes,
  type Item,
  MAX_TRANSACTION_ITEMS,
  type Page,
  type PageKey,
  RETRIED_CANCELLATIONS,
  toPageKey,
} from "./items";
import { ENTITY, keys } from "./keys";
import { SCHEMA_VERSION, TABLE_SCHEMA } from "./table";
import { queryTwoWayPage, type TwoWayPage, type TwoWayPageRequest } from "./two-way-page";

export type EventRepository = ReturnType<typeof createEventRepository>;

/** An article an event claimed after it was stored off-theme. */
export type ReconsideredArticle = { articleId: string; explanation: MatchExplanation; eventId: string };

/** An event's article and source counts, as the change log keeps them for webhooks. */
export type EventCounts = { articleCount: number; sourceCount: number };

/** The change one article makes to an event: the change-log item (the webhook outbox) says it. */
export type MatchChange = {
  /** The theme's sequence after this change: the run's changes count on from `expectedSeq`. */
  seq: number;
  eventId: string;
  kind: "created" | "updated";
  /** The event's counts before this article (null for a new event) and after it. */
  before: EventCounts | null;
  after: EventCounts;
  /** Articles the event claimed in this change (stored ones, or earlier ones of the same run). */
  claimedArticleIds: readonly string[];
};

/** One article of a commit, as judged, and the event change it makes (null when it joins none). */
export type MatchedArticle = { article: Article; change: MatchChange | null };

export type CommitMatchesInput = {
  themeId: string;
  /** The theme's change sequence the decisions were made on. */
  expectedSeq: number;
  /** Whether the sequence must be checked even with no change (an article judged after looking at events). */
  guarded: boolean;
  /** The articles, in the order they were decided. */
  articles: readonly MatchedArticle[];
  /** Each changed event once, as it is after the run (its `seq` and `version` already set), and the stored version it grew from (null when new). */
  events: readonly { event: EventState; previousVersion: number | null }[];
  /** Articles stored earlier that an event of the run claims. */
  reconsidered: readonly ReconsideredArticle[];
  /** For the change-log items' time and expiry, and the theme's `changedAt`. */
  now: Date;
};

/**
 * `exists`: those articles were stored by someone else. `stale`: another matcher changed the
 * theme first (`sequence`), an event was written from an older version (`events`), or a
 * reconsidered article is no longer off-theme (`reconsidered`). Nothing was written; decide
 * again on fresh state.
 */
export type CommitOutcome =
  | { kind: "committed"; seq: number }
  | { kind: "exists"; articleIds: string[] }
  | { kind: "stale"; sequence: boolean; events: string[]; reconsidered: string[] };

/** Attempts, with full-jitter exponential back-off from 50 ms up to 2 s between them. */
const COMMIT_ATTEMPTS = 6;
const COMMIT_BACKOFF_BASE_MS = 50;
const COMMIT_BACKOFF_CAP_MS = 2_000;

/** A transaction holds at most 100 items; five go to the theme, the event, its change and the article. */
export const MAX_RECONSIDERED_PER_COMMIT = 90;
/** Change-log items outlive any matcher's catch-up by far; then DynamoDB's TTL removes them. */
const CHANGE_LOG_DAYS = 60;

const round = (value: number) => Math.round(value * 1e5) / 1e5;
const weightsToObject = (weights: Map<string, number>) =>
  Object.fromEntries([...weights].map(([term, weight]) => [term, round(weight)]));
const objectToWeights = (value: unknown) => new Map(Object.entries((value ?? {}) as Record<string, number>));

/** What nothing queries of an event: weights, members and outlets, kept as one JSON attribute. */
type PackedState = {
  centralTerms: Record<string, number>;
  titleTerms: Record<string, number>;
  bodyTerms: Record<string, number>;
  entities: Record<string, { type: EntityType; weight: number }>;
  members: EventMember[];
  outlets: EventOutlet[];
  /** Per term, the words it was written as and how often (absent on items written before). */
  termWords?: Record<string, Record<string, number>>;
};

/**
 * An event as an item. The matcher's state goes in one attribute rather than nested maps: nothing
 * queries inside it, and one value is far cheaper to write and read than hundreds of map entries
 * (a tenth of the write time on DynamoDB Local). It is JSON, gzipped (`stateGz`, binary): an
 * event is rewritten at every commit that touches it, and its state is most of its bytes (about
 * 15 KB of JSON for 40 members, 3.4 times smaller gzipped at level 1, in 0.1 ms), which DynamoDB
 * bills a write by, twice over in a transaction and once more for the index it is in.
 */
function toItem(event: EventState): Item {
  const state: PackedState = {
    centralTerms: weightsToObject(event.centralTerms),
    titleTerms: weightsToObject(event.titleTerms),
    bodyTerms: weightsToObject(event.bodyTerms),
    entities: Object.fromEntries(
      [...event.entities].map(([key, entry]) => [key, { type: entry.type, weight: round(entry.weight) }]),
    ),
    members: event.members,
    outlets: event.outlets,
    ...(event.termWords === undefined
      ? {}
      : { termWords: Object.fromEntries([...event.termWords].map(([term, words]) => [term, Object.fromEntries(words)])) }),
  };
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
    centralScore: round(event.centralScore),
    firstSeen: event.firstSeen,
    lastSeen: event.lastSeen,
    articleCount: event.articleCount,
    originalCount: event.originalCount,
    // Kept beside the state for the `minSources` filter, which reads it in the query.
    sourceCount: event.outlets.length,
    stateGz: gzipSync(JSON.stringify(state), { level: 1 }),
  };
}

/**
 * The matcher's state of an event item. Items written before `stateGz` keep it as a JSON string
 * (`state`), and older ones as maps.
 */
function unpackState(item: Item): PackedState {
  let packed: Record<string, unknown> = item;
  try {
    if (item.stateGz instanceof Uint8Array) packed = JSON.parse(gunzipSync(item.stateGz).toString("utf8"));
    else if (typeof item.state === "string") packed = JSON.parse(item.state);
  } catch (error) {
    throw new Error(`event ${String(item.id)}: its matcher state cannot be read (${(error as Error).message})`);
  }
  if (typeof packed !== "object" || packed === null)
    throw new Error(`event ${String(item.id)}: its matcher state is not an object`);
  // Items written before outlets were read count sources by id (`sourceIds`), and their
  // members name no outlet: each original counted for its source.
  const legacyIds = Array.from((item.sourceIds ?? []) as Iterable<unknown>, String);
  const members = ((packed.members ?? []) as Partial<EventMember>[]).map(
    (member): EventMember =>
      member.outlet === undefined
        ? {
            ...(member as EventMember),
            outlet: (member.copyOf ?? null) === null ? (member.sourceId ?? null) : null,
            credit: null,
          }
        : (member as EventMember),
  );
  return {
    centralTerms: (packed.centralTerms ?? {}) as Record<string, number>,
    titleTerms: (packed.titleTerms ?? {}) as Record<string, number>,
    bodyTerms: (packed.bodyTerms ?? {}) as Record<string, number>,
    entities: (packed.entities ?? {}) as PackedState["entities"],
    members,
    outlets: (packed.outlets as EventOutlet[] | undefined) ?? legacyIds.map((id) => ({ key: id, name: id })),
    ...(packed.termWords === undefined ? {} : { termWords: packed.termWords as PackedState["termWords"] }),
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
  const state = unpackState(item);
  return {
    id: String(item.id),
    theme: String(item.theme),
    version: Number(item.version),
    seq: Number(item.seq),
    title: String(item.title),
    centralArticleId: String(item.centralArticleId),
    centralTerms: objectToWeights(state.centralTerms),
    centralScore: Number(item.centralScore),
    firstSeen: String(item.firstSeen),
    lastSeen: String(item.lastSeen),
    articleCount: Number(item.articleCount),
    originalCount: Number(item.originalCount),
    outlets: state.outlets,
    titleTerms: objectToWeights(state.titleTerms),
    bodyTerms: objectToWeights(state.bodyTerms),
    entities: new Map(Object.entries(state.entities)),
    members: state.members,
    ...(state.termWords === undefined
      ? {}
      : { termWords: new Map(Object.entries(state.termWords).map(([term, words]) => [term, new Map(Object.entries(words))])) }),
  };
}

type TransactionRole = "sequence" | "event" | "change" | "article" | "text" | "reconsidered";
type TransactionEntry = { item: Record<string, unknown>; role: TransactionRole; id?: string };

/**
 * The items of one match commit. An item may appear only once in a transaction, so the caller
 * passes each event once, and an article of the run that an event claims is written already
 * joined (not updated after).
 */
function matchTransactionItems(tableName: string, input: CommitMatchesInput): TransactionEntry[] {
  const changes = input.articles.flatMap((entry) => (entry.change === null ? [] : [entry.change]));
  changes.forEach((change, index) => {
    if (change.seq !== input.expectedSeq + index + 1)
      throw new Error(`change ${index + 1} of the commit has sequence ${change.seq}, not ${input.expectedSeq + index + 1}`);
  });
  const items: TransactionEntry[] = [];
  const sequenceCondition = input.expectedSeq === 0 ? "attribute_not_exists(pk) OR seq = :expected" : "seq = :expected";
  const last = changes.at(-1);
  if (last !== undefined) {
    items.push({
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
            ":next": last.seq,
            ":changedAt": input.now.toISOString(),
            ":expected": input.expectedSeq,
            ":type": ENTITY.matcher,
            ":version": SCHEMA_VERSION,
          },
        },
      },
    });
  } else if (input.guarded) {
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
  }
  for (const { event, previousVersion } of input.events) {
    items.push({
      role: "event",
      id: event.id,
      item: {
        Put: {
          TableName: tableName,
          Item: toItem(event),
          ...(previousVersion === null
            ? { ConditionExpression: "attribute_not_exists(pk)" }
            : { ConditionExpression: "version = :previous", ExpressionAttributeValues: { ":previous": previousVersion } }),
        },
      },
    });
  }
  const expiresAt = Math.floor(input.now.getTime() / 1000) + CHANGE_LOG_DAYS * 86_400;
  for (const { article, change } of input.articles) {
    if (change !== null) {
      items.push({
        role: "change",
        item: {
          Put: {
            TableName: tableName,
            // The change is also the webhook outbox: written in the same transaction as the
            // article and the event, it is turned into messages later (fan-out), so a crash
            // between storing and alerting loses nothing.
            Item: {
              ...keys.change(input.themeId, change.seq),
              type: ENTITY.change,
              schemaVersion: SCHEMA_VERSION,
              seq: change.seq,
              eventId: change.eventId,
              at: input.now.toISOString(),
              kind: change.kind,
              articleId: article.id,
              claimedArticleIds: change.claimedArticleIds,
              before: change.before,
              after: change.after,
              [TABLE_SCHEMA.ttlAttribute]: expiresAt,
            },
          },
        },
      });
    }
    const stored = articleItems(article);
    items.push(
      {
        role: "article",
        id: article.id,
        item: { Put: { TableName: tableName, Item: stored.summary, ConditionExpression: "attribute_not_exists(pk)" } },
      },
      { role: "text", item: { Put: { TableName: tableName, Item: stored.text } } },
    );
  }
  for (const claimed of input.reconsidered) {
    items.push({
      role: "reconsidered",
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
    });
  }
  return items;
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
     * Stores a run of matching decisions in one transaction, all or nothing. The theme's
     * sequence must still be `expectedSeq`: each event change moves it on by one (its change-log
     * item, the webhook outbox, records which event changed, for which article); a run without
     * changes only checks it (`guarded`). Each event is written once, in its state after the run,
     * over the stored version it grew from; each article unless it exists; reconsidered articles
     * join their event. When a condition fails nothing is written and the outcome says which.
     */
    async commitMatches(input: CommitMatchesInput): Promise<CommitOutcome> {
      const items = matchTransactionItems(tableName, input);
      if (items.length > MAX_TRANSACTION_ITEMS) {
        throw new Error(`a match commit holds at most ${MAX_TRANSACTION_ITEMS} items (got ${items.length})`);
      }
      const changes = input.articles.filter((entry) => entry.change !== null).length;
      for (let attempt = 1; ; attempt += 1) {
        try {
          if (items.length > 0) await doc.send(new TransactWriteCommand({ TransactItems: items.map((entry) => entry.item) }));
          return { kind: "committed", seq: input.expectedSeq + changes };
        } catch (error) {
          const codes = cancellationCodes(error);
          if (codes === null) throw error;
          const failed = (role: TransactionRole) =>
            items.filter((entry, index) => entry.role === role && codes[index] === "ConditionalCheckFailed");
          const existing = failed("article").map((entry) => entry.id as string);
          if (existing.length > 0) return { kind: "exists", articleIds: existing };
          if (codes.some((code) => code === "ConditionalCheckFailed")) {
            return {
              kind: "stale",
              sequence: failed("sequence").length > 0,
              events: failed("event").map((entry) => entry.id as string),
              reconsidered: failed("reconsidered").map((entry) => entry.id as string),
            };
          }
          // A conflict with another writer, or throttling inside the transaction (which the SDK
          // does not retry): nothing was written, so wait and send it again.
          if (codes.some((code) => code !== undefined && RETRIED_CANCELLATIONS.has(code)) && attempt < COMMIT_ATTEMPTS) {
            const backOff = Math.min(COMMIT_BACKOFF_CAP_MS, COMMIT_BACKOFF_BASE_MS * 2 ** (attempt - 1));
            await new Promise((resolve) => setTimeout(resolve, Math.random() * backOff));
            continue;
          }
          throw error;
        }
      }
    },
  };
}
