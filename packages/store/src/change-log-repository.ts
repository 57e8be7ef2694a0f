import { type DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import type { EventChange } from "@eventwire/core";
import { updateWhen } from "./conditional-update";
import type { Item } from "./items";
import { ENTITY, keys } from "./keys";
import { MESSAGES_PER_TRANSACTION } from "./message-numbering";
import { queryRange, queryRangePage, type RangeQuery } from "./range-query";
import { SCHEMA_VERSION } from "./table";

const CHANGE_KINDS: readonly string[] = ["created", "updated", "merged", "split"] satisfies EventChange["kind"][];

/**
 * A change-log item in full. Items written before the log kept counts read as "updated" with no
 * counts. A maintenance change (merged, split) carries its correction.
 */
function changeFromItem(themeId: string, item: Item): EventChange {
  const after = (item.after as EventChange["after"] | undefined) ?? { articleCount: 0, sourceCount: 0 };
  const kind = (CHANGE_KINDS.includes(String(item.kind)) ? item.kind : "updated") as EventChange["kind"];
  const change: EventChange = {
    themeId,
    seq: Number(item.seq),
    at: String(item.at ?? new Date(0).toISOString()),
    eventId: String(item.eventId),
    kind,
    articleId: String(item.articleId ?? ""),
    claimedArticleIds: (item.claimedArticleIds ?? []) as string[],
    before: (item.before ?? null) as EventChange["before"],
    after,
  };
  if (kind !== "merged" && kind !== "split") return change;
  return {
    ...change,
    correction: {
      relatedEventId: String(item.relatedEventId),
      relatedCounts: item.relatedCounts as EventChange["after"],
      movedArticleIds: (item.movedArticleIds ?? []) as string[],
      movedCount: Number(item.movedCount ?? 0),
      summary: String(item.summary ?? ""),
    },
  };
}

/**
 * A change as a matcher's catch-up reads it: the event it changed, the other one a maintenance
 * change touched, and when it was written (a gap before a recent change is a commit not yet seen whole).
 */
export type ChangedEvents = { seq: number; at: string; eventId: string; relatedEventId: string | null };

/**
 * The theme's change log: its head (the change sequence, on the theme's matcher item), one
 * `CHANGE#` item a change (written by the event commits, in the same transaction as the change
 * they announce: the webhook outbox), and the fan-out position, up to which the changes have
 * been turned into webhook messages.
 */
export type ChangeLogRepository = {
  /** The theme's change sequence: 0 before its first event. */
  sequence(themeId: string): Promise<number>;
  /**
   * The theme's changes after sequence `seq`, oldest first: which events each one changed.
   * Read from the table with strong consistency, so none is missed while indexes catch up.
   */
  changesSince(themeId: string, seq: number): Promise<ChangedEvents[]>;
  /** The latest `limit` changes of the theme, newest first. */
  latestChanges(themeId: string, limit: number): Promise<ChangedEvents[]>;
  /** Up to `limit` of the theme's changes after `seq`, oldest first, in full, read with strong consistency. */
  changeRecordsSince(themeId: string, seq: number, limit: number): Promise<EventChange[]>;
  /**
   * The next batch of the outbox: the theme's changes after `seq`, oldest first, in full, as
   * many as one write of a subscription's messages holds (so the messages a batch makes for one
   * subscription, one a change for most filters, are stored together). `full`: the batch is as
   * long as a batch goes, and more may follow.
   */
  changeBatchSince(themeId: string, seq: number): Promise<{ changes: EventChange[]; full: boolean }>;
  /** The last change of the theme turned into messages (0 before any). */
  fanOutPosition(themeId: string): Promise<number>;
  /** Moves the fan-out position from `from` to `to`; false when another dispatcher moved it first. */
  advanceFanOut(themeId: string, from: number, to: number): Promise<boolean>;
};

/** The change log of every theme in one table. */
export function createChangeLogRepository(doc: DynamoDBDocumentClient, tableName: string): ChangeLogRepository {
  /** The theme's change items after sequence `after`, read with strong consistency. */
  const changesAfter = (themeId: string, after: number, newestFirst = false): RangeQuery => ({
    tableName,
    partition: keys.matcher(themeId).pk,
    range: { from: keys.change(themeId, after + 1).sk, to: `${keys.changePrefix}~` },
    newestFirst,
    consistent: true,
  });

  async function readChanges(themeId: string, options: { after: number; newestFirst: boolean; limit?: number }) {
    const { items } = await queryRange(doc, changesAfter(themeId, options.after, options.newestFirst), { limit: options.limit });
    return items.map(
      (item): ChangedEvents => ({
        seq: Number(item.seq),
        at: String(item.at ?? new Date(0).toISOString()),
        eventId: String(item.eventId),
        relatedEventId: typeof item.relatedEventId === "string" ? item.relatedEventId : null,
      }),
    );
  }

  const repository: ChangeLogRepository = {
    async sequence(themeId) {
      const result = await doc.send(new GetCommand({ TableName: tableName, Key: keys.matcher(themeId), ConsistentRead: true }));
      return result.Item ? Number(result.Item.seq) : 0;
    },

    changesSince(themeId, seq) {
      return readChanges(themeId, { after: seq, newestFirst: false });
    },

    latestChanges(themeId, limit) {
      return readChanges(themeId, { after: 0, newestFirst: true, limit });
    },

    async changeRecordsSince(themeId, seq, limit) {
      const { items } = await queryRangePage(doc, changesAfter(themeId, seq), { limit });
      return items.map((item) => changeFromItem(themeId, item));
    },

    async changeBatchSince(themeId, seq) {
      const changes = await repository.changeRecordsSince(themeId, seq, MESSAGES_PER_TRANSACTION);
      return { changes, full: changes.length === MESSAGES_PER_TRANSACTION };
    },

    async fanOutPosition(themeId) {
      const result = await doc.send(new GetCommand({ TableName: tableName, Key: keys.fanOut(themeId), ConsistentRead: true }));
      return result.Item ? Number(result.Item.seq) : 0;
    },

    async advanceFanOut(themeId, from, to) {
      const item = await updateWhen(
        doc,
        tableName,
        keys.fanOut(themeId),
        { seq: to, type: ENTITY.fanOut, schemaVersion: SCHEMA_VERSION },
        from === 0
          ? { expression: "attribute_not_exists(pk) OR seq = :from", values: { ":from": from } }
          : { expression: "seq = :from", values: { ":from": from } },
      );
      return item !== null;
    },
  };
  return repository;
}
