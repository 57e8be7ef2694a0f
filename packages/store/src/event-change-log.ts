import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { EventChange } from "@eventwire/core";
import type { Item } from "./items";
import { keys } from "./keys";

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

/** The theme's change log (the `CHANGE#` items, the webhook outbox) and its head: the sequence and when it last moved. */
export function createEventChangeLog(doc: DynamoDBDocumentClient, tableName: string) {
  async function readChanges(themeId: string, options: { after: number; newestFirst: boolean; limit: number }) {
    const changes: ChangedEvents[] = [];
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
      for (const item of result.Items ?? [])
        changes.push({
          seq: Number(item.seq),
          at: String(item.at ?? new Date(0).toISOString()),
          eventId: String(item.eventId),
          relatedEventId: typeof item.relatedEventId === "string" ? item.relatedEventId : null,
        });
      startKey = result.LastEvaluatedKey;
    } while (startKey !== undefined && changes.length < options.limit);
    return changes;
  }

  return {
    /**
     * The theme's changes after sequence `seq`, oldest first: which events each one changed.
     * Read from the table with strong consistency, so none is missed while indexes catch up.
     */
    async changesSince(themeId: string, seq: number): Promise<ChangedEvents[]> {
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
    async latestChanges(themeId: string, limit: number): Promise<ChangedEvents[]> {
      return readChanges(themeId, { after: 0, newestFirst: true, limit });
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
  };
}
