import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Article, EventState, MatchExplanation } from "@eventwire/core";
import { type ItemKey, judgementKeys, membershipWrites } from "./article-memberships";
import { joinEventWrite, newArticleWrites } from "./article-writes";
import { eventToItem } from "./event-item";
import { ENTITY, keys } from "./keys";
import { createSearchIndexRepository } from "./search-index-repository";
import { SCHEMA_VERSION, TABLE_SCHEMA } from "./table";
import { MAX_TRANSACTION_ITEMS, type TransactItem, transact } from "./transaction";

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

/**
 * One article of a commit, as judged, and the event change it makes (null when it joins none).
 * `membership`: the article is stored already (another theme judged it first), so the commit
 * stores this theme's judgement as a membership of it rather than the article.
 */
export type MatchedArticle = { article: Article; change: MatchChange | null; membership?: boolean };

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
 * `exists`: those articles were stored by someone else (for a membership: the theme has judged
 * the article already, or the article is no longer stored as it was judged). `stale`: another matcher changed the
 * theme first (`sequence`), an event was written from an older version (`events`), or a
 * reconsidered article is no longer off-theme (`reconsidered`); decide again on fresh state.
 * `refused`: DynamoDB will never accept the commit's items (one too large, say). In each of
 * these, nothing was written.
 */
export type CommitOutcome =
  | { kind: "committed"; seq: number }
  | { kind: "exists"; articleIds: string[] }
  | { kind: "stale"; sequence: boolean; events: string[]; reconsidered: string[] }
  | { kind: "refused"; error: Error };

/** The one error DynamoDB gives for items it will never accept (too large, say). */
function isRefused(error: unknown): error is Error {
  return error instanceof Error && error.name === "ValidationException";
}

/** Change-log items outlive any matcher's catch-up by far; then DynamoDB's TTL removes them. */
const CHANGE_LOG_DAYS = 60;

/** When a change-log item written at `now` may go (epoch seconds, DynamoDB's TTL). */
export function changeLogExpiry(now: Date): number {
  return Math.floor(now.getTime() / 1000) + CHANGE_LOG_DAYS * 86_400;
}

const sequenceCondition = (expectedSeq: number) =>
  expectedSeq === 0 ? "attribute_not_exists(pk) OR seq = :expected" : "seq = :expected";

/**
 * The transaction item that moves a theme's change sequence from `expectedSeq` to `next` (and
 * its `changedAt`, when anything its feeds and pages show last changed), only if it is still
 * `expectedSeq`: every writer of event changes orders itself on it.
 */
export function advanceSequence(tableName: string, themeId: string, expectedSeq: number, next: number, now: Date) {
  return {
    Update: {
      TableName: tableName,
      Key: keys.matcher(themeId),
      UpdateExpression: "SET seq = :next, changedAt = :changedAt, #type = :type, schemaVersion = :version",
      ConditionExpression: sequenceCondition(expectedSeq),
      ExpressionAttributeNames: { "#type": "type" },
      ExpressionAttributeValues: {
        ":next": next,
        ":changedAt": now.toISOString(),
        ":expected": expectedSeq,
        ":type": ENTITY.matcher,
        ":version": SCHEMA_VERSION,
      },
    },
  };
}

/** The transaction item that writes an event's state over the stored version it grew from (null: only if new). */
export function putEvent(tableName: string, event: EventState, previousVersion: number | null) {
  return {
    Put: {
      TableName: tableName,
      Item: eventToItem(event),
      ...(previousVersion === null
        ? { ConditionExpression: "attribute_not_exists(pk)" }
        : { ConditionExpression: "version = :previous", ExpressionAttributeValues: { ":previous": previousVersion } }),
    },
  };
}

type TransactionRole = "sequence" | "event" | "change" | "article" | "text" | "judged" | "reconsidered";
type TransactionEntry = { item: TransactItem; role: TransactionRole; id?: string };

/**
 * The items of one match commit. An item may appear only once in a transaction, so the caller
 * passes each event once, and an article of the run that an event claims is written already
 * joined (not updated after).
 */
function matchTransactionItems(
  tableName: string,
  input: CommitMatchesInput,
  judgements: ReadonlyMap<string, ItemKey>,
): TransactionEntry[] {
  const changes = input.articles.flatMap((entry) => (entry.change === null ? [] : [entry.change]));
  changes.forEach((change, index) => {
    if (change.seq !== input.expectedSeq + index + 1)
      throw new Error(`change ${index + 1} of the commit has sequence ${change.seq}, not ${input.expectedSeq + index + 1}`);
  });
  const items: TransactionEntry[] = [];
  const last = changes.at(-1);
  if (last !== undefined) {
    items.push({ role: "sequence", item: advanceSequence(tableName, input.themeId, input.expectedSeq, last.seq, input.now) });
  } else if (input.guarded) {
    items.push({
      role: "sequence",
      item: {
        ConditionCheck: {
          TableName: tableName,
          Key: keys.matcher(input.themeId),
          ConditionExpression: sequenceCondition(input.expectedSeq),
          ExpressionAttributeValues: { ":expected": input.expectedSeq },
        },
      },
    });
  }
  for (const { event, previousVersion } of input.events) {
    items.push({ role: "event", id: event.id, item: putEvent(tableName, event, previousVersion) });
  }
  const expiresAt = changeLogExpiry(input.now);
  for (const { article, change, membership } of input.articles) {
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
    // The article's own writes: its item (the conditional one) and its text; or the theme's
    // membership (the conditional one) and the theme added to the article's `judged`.
    const [first, second] = membership === true ? membershipWrites(tableName, article) : newArticleWrites(tableName, article);
    items.push(
      { role: "article", id: article.id, item: first as TransactItem },
      { role: membership === true ? "judged" : "text", id: article.id, item: second as TransactItem },
    );
  }
  for (const claimed of input.reconsidered) {
    const key = judgements.get(claimed.articleId);
    items.push({ role: "reconsidered", id: claimed.articleId, item: joinEventWrite(tableName, input.themeId, claimed, key) });
  }
  return items;
}

/** The transaction that stores a run of matching decisions. */
export type MatchCommits = {
  /**
   * Stores a run of matching decisions in one transaction, all or nothing (a run `MatchCommitRoom`
   * measured). The theme's sequence must still be `expectedSeq`: each event change moves it on by
   * one (its change-log item, the webhook outbox, records which event changed, for which
   * article); a run without changes only checks it (`guarded`). Each event is written once, in
   * its state after the run, over the stored version it grew from; each article unless it
   * exists; reconsidered articles join their event. When a condition fails, or DynamoDB refuses
   * an item, nothing is written and the outcome says which.
   */
  commitMatches(input: CommitMatchesInput): Promise<CommitOutcome>;
};

/** The match commit over one table. */
export function createMatchCommit(doc: DynamoDBDocumentClient, tableName: string): MatchCommits {
  const searchIndex = createSearchIndexRepository(doc, tableName);
  return {
    async commitMatches(input) {
      // A claimed article's judgement by the theme is on its item or in its membership.
      const judgements =
        input.reconsidered.length === 0
          ? new Map<string, ItemKey>()
          : await judgementKeys(
              doc,
              tableName,
              input.themeId,
              input.reconsidered.map((claimed) => claimed.articleId),
            );
      const items = matchTransactionItems(tableName, input, judgements);
      if (items.length > MAX_TRANSACTION_ITEMS) {
        throw new Error(`a match commit holds at most ${MAX_TRANSACTION_ITEMS} items (got ${items.length})`);
      }
      const changes = input.articles.filter((entry) => entry.change !== null).length;
      // Before the articles, so none is ever stored late without its mark (a theme's membership
      // adds no words: its article is in the index already).
      await searchIndex.markLate(
        input.articles.flatMap(({ article, membership }) =>
          membership === true ? [] : [{ id: article.id, publishedAt: article.publishedAt, writtenAt: article.fetchedAt }],
        ),
      );
      let codes: (string | undefined)[] | null;
      try {
        codes = await transact(
          doc,
          items.map((entry) => entry.item),
        );
      } catch (error) {
        if (isRefused(error)) return { kind: "refused", error };
        throw error;
      }
      if (codes === null) return { kind: "committed", seq: input.expectedSeq + changes };
      const failed = (role: TransactionRole) =>
        items.filter((entry, index) => entry.role === role && codes[index] === "ConditionalCheckFailed");
      const existing = [...failed("article"), ...failed("judged")].map((entry) => entry.id as string);
      if (existing.length > 0) return { kind: "exists", articleIds: existing };
      return {
        kind: "stale",
        sequence: failed("sequence").length > 0,
        events: failed("event").map((entry) => entry.id as string),
        reconsidered: failed("reconsidered").map((entry) => entry.id as string),
      };
    },
  };
}
