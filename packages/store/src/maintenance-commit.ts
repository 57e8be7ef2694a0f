import { DeleteCommand, type DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { type EventCorrection, type EventState, MOVED_IDS_IN_CHANGE } from "@eventwire/core";
import { judgementKeys } from "./article-memberships";
import { moveArticleWrite } from "./article-writes";
import type { Item } from "./items";
import { ENTITY, keys } from "./keys";
import { advanceSequence, changeLogExpiry, type EventCounts, putEvent } from "./match-commit";
import { queryAll } from "./range-query";
import { SCHEMA_VERSION, TABLE_SCHEMA } from "./table";
import { MAX_TRANSACTION_ITEMS, type TransactItem, transact } from "./transaction";
import { writeEach } from "./write-each";

/** Articles that leave one event of a theme for another. */
export type ArticleMoves = { themeId: string; from: string; to: string; articleIds: readonly string[] };

/** Moves a stored decision has still to make: one part of its articles, kept until they are moved. */
export type PendingMoves = ArticleMoves & { seq: number; part: number };

/** The change a maintenance decision makes, as its change-log item (the outbox of `event.merged` / `event.split`) says it. */
export type MaintenanceChange = {
  kind: "merged" | "split";
  /** The merge's successor, or the split's kept event. */
  eventId: string;
  /** The merged-away event, or the one the split opened. */
  relatedEventId: string;
  /** `eventId`'s counts before and after. */
  before: EventCounts;
  after: EventCounts;
  /** The merged-away event's counts before the merge, or the opened event's after the split. */
  relatedCounts: EventCounts;
  summary: string;
};

export type CommitDecisionInput = {
  themeId: string;
  /** The theme's change sequence the decision was made on; the decision takes the next one. */
  expectedSeq: number;
  change: MaintenanceChange;
  /** The events' new states (their `seq` the decision's), each over the stored version it was built from (null: new). */
  events: readonly { event: EventState; previousVersion: number | null }[];
  /** Events merged away: kept, out of the listings, naming their successor. */
  retired: readonly { id: string; mergedInto: string; previousVersion: number }[];
  /** The record of the decision on each of its events. */
  corrections: readonly { eventId: string; correction: EventCorrection }[];
  moves: ArticleMoves;
  now: Date;
};

/**
 * `stale`: the theme changed since the decision was made (`sequence`), or one of its events did
 * (`events`). `refused`: the decision is more than one transaction can store (`reason` says
 * why). In both, nothing was written.
 */
export type DecisionOutcome =
  | { kind: "committed"; seq: number }
  | { kind: "stale"; sequence: boolean; events: string[] }
  | { kind: "refused"; reason: string };

/** Article ids in one moves item: far below DynamoDB's 400 KB an item. */
const MOVE_IDS_PER_ITEM = 2_000;

/**
 * The most articles one decision moves: their ids (about 1.8 MB) and the events' items stay
 * inside a transaction's 4 MB and 100 items.
 */
const MAX_MOVED_PER_DECISION = 50_000;

type Role = "sequence" | "event" | "other";
type Entry = { role: Role; id?: string; item: TransactItem };

function decisionItems(tableName: string, input: CommitDecisionInput): Entry[] {
  const seq = input.expectedSeq + 1;
  const at = input.now.toISOString();
  const entries: Entry[] = [
    { role: "sequence", item: advanceSequence(tableName, input.themeId, input.expectedSeq, seq, input.now) },
  ];
  for (const { event, previousVersion } of input.events) {
    if (event.seq !== seq) throw new Error(`event ${event.id} of a decision has sequence ${event.seq}, not ${seq}`);
    entries.push({ role: "event", id: event.id, item: putEvent(tableName, event, previousVersion) });
  }
  for (const retired of input.retired) {
    entries.push({
      role: "event",
      id: retired.id,
      item: {
        Update: {
          TableName: tableName,
          Key: keys.event(retired.id),
          // Out of the theme's listing (and so its feeds and searches); the item stays, naming its successor.
          UpdateExpression: "SET mergedInto = :into, mergedAt = :at, version = :version, seq = :seq REMOVE gsi2pk, gsi2sk",
          ConditionExpression: "version = :previous",
          ExpressionAttributeValues: {
            ":into": retired.mergedInto,
            ":at": at,
            ":version": retired.previousVersion + 1,
            ":seq": seq,
            ":previous": retired.previousVersion,
          },
        },
      },
    });
  }
  const { change } = input;
  entries.push({
    role: "other",
    item: {
      Put: {
        TableName: tableName,
        Item: {
          ...keys.change(input.themeId, seq),
          type: ENTITY.change,
          schemaVersion: SCHEMA_VERSION,
          seq,
          at,
          kind: change.kind,
          eventId: change.eventId,
          relatedEventId: change.relatedEventId,
          before: change.before,
          after: change.after,
          relatedCounts: change.relatedCounts,
          movedArticleIds: input.moves.articleIds.slice(0, MOVED_IDS_IN_CHANGE),
          movedCount: input.moves.articleIds.length,
          summary: change.summary,
          [TABLE_SCHEMA.ttlAttribute]: changeLogExpiry(input.now),
        },
      },
    },
  });
  for (const { eventId, correction } of input.corrections) {
    const item = { ...keys.correction(eventId, seq), type: ENTITY.correction, schemaVersion: SCHEMA_VERSION, ...correction };
    entries.push({ role: "other", item: { Put: { TableName: tableName, Item: item } } });
  }
  const ids = input.moves.articleIds;
  for (let part = 0; part * MOVE_IDS_PER_ITEM < ids.length; part += 1) {
    const item = {
      ...keys.moves(input.themeId, seq, part),
      type: ENTITY.moves,
      schemaVersion: SCHEMA_VERSION,
      from: input.moves.from,
      to: input.moves.to,
      articleIds: ids.slice(part * MOVE_IDS_PER_ITEM, (part + 1) * MOVE_IDS_PER_ITEM),
    };
    entries.push({ role: "other", item: { Put: { TableName: tableName, Item: item } } });
  }
  return entries;
}

function pendingFromItem(themeId: string, item: Item): PendingMoves {
  const [, seq, part] = String(item.sk).split("#");
  return {
    themeId,
    seq: Number(seq),
    part: Number(part),
    from: String(item.from),
    to: String(item.to),
    articleIds: (item.articleIds ?? []) as string[],
  };
}

/**
 * How a maintenance decision is stored, crash-safe in two steps. First one transaction, on the
 * theme's change sequence and the versions the decision read: the events' new states, the
 * merged-away event marked, the change (the outbox of its webhook messages), the record on each
 * event, and the list of articles to move. Then the articles' moves, each conditional on the
 * article still being where the decision found it, and the list deleted. A pass that dies
 * between the two leaves the list, and the next pass finishes it before anything else.
 */
export type MaintenanceCommits = {
  /** Stores a decision's first step in one transaction, all or nothing; the outcome says whether it was stale or too large. */
  commitDecision(input: CommitDecisionInput): Promise<DecisionOutcome>;
  /** The moves stored decisions have still to make, oldest first, read with strong consistency. */
  pendingMoves(themeId: string): Promise<PendingMoves[]>;
  /**
   * Moves articles from one event to another: each its `eventId` and its place in the event's
   * article index (on the item that holds the theme's judgement of it), only while it is still in `from` (one already moved, or moved on by a later
   * decision, is left as it is). Many a transaction; how many moved now.
   */
  moveArticles(moves: ArticleMoves): Promise<number>;
  /** Deletes a list of moves once they are all made. */
  finishMoves(pending: Pick<PendingMoves, "themeId" | "seq" | "part">): Promise<void>;
  /**
   * Counts `stored` more articles stored for the theme (one atomic add); true when the count
   * passed a multiple of `every` with this add, which then calls for a maintenance pass. Of
   * many writers adding at once, exactly one sees each multiple passed.
   */
  countStored(themeId: string, stored: number, every: number): Promise<boolean>;
};

/** The maintenance commits over one table. */
export function createMaintenanceCommit(doc: DynamoDBDocumentClient, tableName: string): MaintenanceCommits {
  return {
    async commitDecision(input) {
      if (input.moves.articleIds.length > MAX_MOVED_PER_DECISION) {
        return {
          kind: "refused",
          reason: `it moves ${input.moves.articleIds.length} articles, more than ${MAX_MOVED_PER_DECISION}`,
        };
      }
      const entries = decisionItems(tableName, input);
      if (entries.length > MAX_TRANSACTION_ITEMS) throw new Error(`a maintenance decision takes ${entries.length} items`);
      const codes = await transact(
        doc,
        entries.map((entry) => entry.item),
      );
      if (codes === null) return { kind: "committed", seq: input.expectedSeq + 1 };
      const failed = entries.filter((_entry, index) => codes[index] === "ConditionalCheckFailed");
      return {
        kind: "stale",
        sequence: failed.some((entry) => entry.role === "sequence"),
        events: failed.flatMap((entry) => (entry.role === "event" && entry.id !== undefined ? [entry.id] : [])),
      };
    },

    async pendingMoves(themeId) {
      const items = await queryAll(doc, {
        tableName,
        partition: keys.matcher(themeId).pk,
        range: { prefix: keys.movesPrefix },
        consistent: true,
      });
      return items.map((item) => pendingFromItem(themeId, item));
    },

    async moveArticles(moves) {
      // Each article's membership of the theme: on its item, or its membership item.
      const judgements = await judgementKeys(doc, tableName, moves.themeId, moves.articleIds);
      const results = await writeEach(doc, moves.articleIds, (articleId, lost) =>
        lost ? [] : [moveArticleWrite(tableName, moves, articleId, judgements.get(articleId))],
      );
      return results.filter(Boolean).length;
    },

    async finishMoves(pending) {
      await doc.send(new DeleteCommand({ TableName: tableName, Key: keys.moves(pending.themeId, pending.seq, pending.part) }));
    },

    async countStored(themeId, stored, every) {
      if (stored <= 0) return false;
      const result = await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.storedTally(themeId),
          // STORED is one of DynamoDB's reserved words: the attribute is named through #stored.
          UpdateExpression: "ADD #stored :n SET #type = :type, schemaVersion = :version",
          ExpressionAttributeNames: { "#stored": "stored", "#type": "type" },
          ExpressionAttributeValues: { ":n": stored, ":type": ENTITY.storedTally, ":version": SCHEMA_VERSION },
          ReturnValues: "UPDATED_NEW",
        }),
      );
      const total = Number(result.Attributes?.stored ?? stored);
      return Math.floor(total / every) > Math.floor((total - stored) / every);
    },
  };
}
