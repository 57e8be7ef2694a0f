import { type DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { Article, EntityType, EventMember, EventState, MatchExplanation } from "@eventwire/core";
import { articleItems } from "./article-repository";
import { cancellationCodes, type Item, type Page, type PageKey, toPageKey } from "./items";
import { ENTITY, keys } from "./keys";
import { SCHEMA_VERSION } from "./table";

export type EventRepository = ReturnType<typeof createEventRepository>;

/** An article an event claimed after it was stored off-theme. */
export type ReconsideredArticle = { articleId: string; explanation: MatchExplanation; eventId: string };

export type CommitMatchInput = {
  themeId: string;
  /** The theme's change sequence the decision was made on. */
  expectedSeq: number;
  article: Article;
  /** The event as it is after this article; its `version` is the one to write. */
  event: EventState;
  reconsidered: readonly ReconsideredArticle[];
};

/**
 * `stale`: another matcher changed the theme first (`sequence`), the event was written from an
 * older version (`event`), or a reconsidered article is no longer off-theme (`reconsidered`,
 * with their ids). Nothing was written; decide again on fresh state.
 */
export type CommitOutcome =
  | { kind: "committed" }
  | { kind: "exists" }
  | { kind: "stale"; sequence: boolean; event: boolean; reconsidered: string[] };

/** A transaction holds at most 100 items; four go to the theme, the event and the article. */
export const MAX_RECONSIDERED_PER_COMMIT = 90;

const round = (value: number) => Math.round(value * 1e5) / 1e5;
const weightsToObject = (weights: Map<string, number>) =>
  Object.fromEntries([...weights].map(([term, weight]) => [term, round(weight)]));
const objectToWeights = (value: unknown) => new Map(Object.entries((value ?? {}) as Record<string, number>));

function toItem(event: EventState): Item {
  return {
    ...keys.event(event.id),
    gsi1pk: keys.eventChanges(event.theme),
    gsi1sk: keys.sequence(event.seq),
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
  async function query(input: {
    index: "gsi1" | "gsi2";
    partition: string;
    forward: boolean;
    limit: number;
    after?: Item;
    above?: string;
  }) {
    const result = await doc.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: input.index,
        KeyConditionExpression:
          input.above === undefined ? `${input.index}pk = :pk` : `${input.index}pk = :pk AND ${input.index}sk > :above`,
        ExpressionAttributeValues: { ":pk": input.partition, ...(input.above === undefined ? {} : { ":above": input.above }) },
        ScanIndexForward: input.forward,
        Limit: input.limit,
        ExclusiveStartKey: input.after,
      }),
    );
    return { items: (result.Items ?? []).map(eventFromItem), next: result.LastEvaluatedKey };
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
        const page = await query({
          index: "gsi2",
          partition: keys.themeEvents(themeId),
          forward: false,
          limit: request.limit - items.length,
          after,
        });
        items.push(...page.items);
        after = page.next;
      } while (items.length < request.limit && after !== undefined);
      return { items, nextKey: toPageKey(after) };
    },

    /** Events changed after sequence `seq`, in sequence order (the index may lag a little). */
    async listChangedSince(themeId: string, seq: number): Promise<EventState[]> {
      const events: EventState[] = [];
      let after: Item | undefined;
      do {
        const page = await query({
          index: "gsi1",
          partition: keys.eventChanges(themeId),
          forward: true,
          limit: 500,
          after,
          above: keys.sequence(seq),
        });
        events.push(...page.items);
        after = page.next;
      } while (after !== undefined);
      return events;
    },

    /** The `count` most recently changed events of a theme (a matcher's working set). */
    async listLatest(themeId: string, count: number): Promise<EventState[]> {
      const events: EventState[] = [];
      let after: Item | undefined;
      do {
        const page = await query({
          index: "gsi1",
          partition: keys.eventChanges(themeId),
          forward: false,
          limit: Math.min(500, count - events.length),
          after,
        });
        events.push(...page.items);
        after = page.next;
      } while (after !== undefined && events.length < count);
      return events;
    },

    /** The theme's change sequence: 0 before its first event. */
    async sequence(themeId: string): Promise<number> {
      const result = await doc.send(new GetCommand({ TableName: tableName, Key: keys.matcher(themeId), ConsistentRead: true }));
      return result.Item ? Number(result.Item.seq) : 0;
    },

    /**
     * Stores a matching decision atomically: the theme's sequence moves from `expectedSeq` to the
     * next, the event is written over the version it grew from, the article is written unless it
     * exists, and any reconsidered articles join the event. Nothing is written when any of these
     * conditions fails; the outcome says which kind failed.
     */
    async commitMatch(input: CommitMatchInput): Promise<CommitOutcome> {
      if (input.reconsidered.length > MAX_RECONSIDERED_PER_COMMIT) {
        throw new Error(
          `a match can reconsider at most ${MAX_RECONSIDERED_PER_COMMIT} articles (got ${input.reconsidered.length})`,
        );
      }
      const seq = input.expectedSeq + 1;
      const event = { ...input.event, seq };
      const article = articleItems(input.article);
      const transactItems = [
        {
          Update: {
            TableName: tableName,
            Key: keys.matcher(input.themeId),
            UpdateExpression: "SET seq = :next, #type = :type, schemaVersion = :version",
            ConditionExpression: input.expectedSeq === 0 ? "attribute_not_exists(pk) OR seq = :expected" : "seq = :expected",
            ExpressionAttributeNames: { "#type": "type" },
            ExpressionAttributeValues: {
              ":next": seq,
              ":expected": input.expectedSeq,
              ":type": ENTITY.matcher,
              ":version": SCHEMA_VERSION,
            },
          },
        },
        {
          Put: {
            TableName: tableName,
            Item: toItem(event),
            ...(event.version === 1
              ? { ConditionExpression: "attribute_not_exists(pk)" }
              : { ConditionExpression: "version = :previous", ExpressionAttributeValues: { ":previous": event.version - 1 } }),
          },
        },
        { Put: { TableName: tableName, Item: article.summary, ConditionExpression: "attribute_not_exists(pk)" } },
        { Put: { TableName: tableName, Item: article.text } },
        ...input.reconsidered.map((claimed) => ({
          Update: {
            TableName: tableName,
            Key: keys.article(claimed.articleId),
            UpdateExpression:
              "SET onTheme = :true, eventId = :event, explanation = :explanation, themeScore = :score, gsi2pk = :themePk, gsi4pk = :eventPk, gsi4sk = gsi2sk",
            ConditionExpression: "attribute_exists(pk) AND onTheme = :false",
            ExpressionAttributeValues: {
              ":true": true,
              ":false": false,
              ":event": claimed.eventId,
              ":explanation": claimed.explanation,
              ":score": claimed.explanation.theme?.score ?? null,
              ":themePk": keys.themeArticles(input.themeId),
              ":eventPk": keys.eventArticles(claimed.eventId),
            },
          },
        })),
      ];
      for (let attempt = 1; ; attempt += 1) {
        try {
          await doc.send(new TransactWriteCommand({ TransactItems: transactItems }));
          return { kind: "committed" };
        } catch (error) {
          const codes = cancellationCodes(error);
          if (codes === null) throw error;
          const failed = (index: number) => codes[index] === "ConditionalCheckFailed";
          if (failed(2)) return { kind: "exists" };
          if (codes.some((code) => code === "ConditionalCheckFailed")) {
            return {
              kind: "stale",
              sequence: failed(0),
              event: failed(1),
              reconsidered: input.reconsidered.filter((_, index) => failed(index + 4)).map((claimed) => claimed.articleId),
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
