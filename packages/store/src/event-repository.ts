import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { CORRECTIONS_SHOWN, type EventCorrection, type EventState } from "@eventwire/core";
import { createEventChangeLog } from "./event-change-log";
import { eventFromItem } from "./event-item";
import { type FilteredPage, type FilteredPageRequest, queryFilteredPage } from "./filtered-page";
import { batchGetItems, type Item, type Page, type PageKey, toPageKey } from "./items";
import { ENTITY, keys } from "./keys";
import { createMaintenanceCommit } from "./maintenance-commit";
import { createMatchCommit } from "./match-commit";
import { queryAll } from "./query-all";
import { queryTwoWayPage, type TwoWayPage, type TwoWayPageRequest } from "./two-way-page";

export type EventRepository = ReturnType<typeof createEventRepository>;

/**
 * An event as its page and JSON read it: live, or merged away into `mergedInto` (which may
 * itself have been merged on since), each with its latest corrections, newest first.
 */
export type EventLookup =
  | { state: "live"; event: EventState; corrections: EventCorrection[] }
  | { state: "merged"; event: EventState; mergedInto: string; mergedAt: string; corrections: EventCorrection[] };

function correctionFromItem(item: Item): EventCorrection {
  return {
    kind: item.kind as EventCorrection["kind"],
    other: String(item.other),
    at: String(item.at),
    summary: String(item.summary ?? ""),
    signals: (item.signals ?? {}) as Record<string, number>,
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

    /** The ids of a theme's events last active at or after `since` (an ISO time), the most recently active first. */
    async idsActiveSince(themeId: string, since: string): Promise<string[]> {
      const items = await queryAll(doc, {
        TableName: tableName,
        IndexName: "gsi2",
        KeyConditionExpression: "gsi2pk = :pk AND gsi2sk >= :since",
        ExpressionAttributeValues: { ":pk": keys.themeEvents(themeId), ":since": since },
        ProjectionExpression: "id",
        ScanIndexForward: false,
      });
      return items.map((item) => String(item.id));
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

    /**
     * Events by id as a matcher may hold them, read with strong consistency: the live ones, and
     * the ids of those merged away or missing (`gone`), which a matcher must drop.
     */
    async getLive(ids: readonly string[]): Promise<{ live: EventState[]; gone: string[] }> {
      const items = await batchGetItems(
        doc,
        tableName,
        [...new Set(ids)].map((id) => keys.event(id)),
        { consistent: true },
      );
      const live = items.filter((item) => typeof item.mergedInto !== "string").map(eventFromItem);
      const found = new Set(live.map((event) => event.id));
      return { live, gone: [...new Set(ids)].filter((id) => !found.has(id)) };
    },

    /**
     * One event with its newest corrections (at most `CORRECTIONS_SHOWN`), in one strong read,
     * whether it is live or merged away; null when there is none.
     */
    async lookup(id: string): Promise<EventLookup | null> {
      const result = await doc.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": keys.event(id).pk },
          // "EVENT" sorts after "CORRECTION#…": newest first, the event comes first.
          ScanIndexForward: false,
          Limit: CORRECTIONS_SHOWN + 1,
          ConsistentRead: true,
        }),
      );
      const items = result.Items ?? [];
      const item = items.find((entry) => entry.sk === keys.event(id).sk);
      if (item === undefined) return null;
      const event = eventFromItem(item);
      const corrections = items.filter((entry) => entry.type === ENTITY.correction).map(correctionFromItem);
      if (typeof item.mergedInto !== "string") return { state: "live", event, corrections };
      return { state: "merged", event, mergedInto: item.mergedInto, mergedAt: String(item.mergedAt ?? ""), corrections };
    },

    /** The titles of events by id (missing ids are left out): a small read for naming them. */
    async titles(ids: readonly string[]): Promise<Map<string, string>> {
      const keyList = [...new Set(ids)].map((id) => keys.event(id));
      const items = await batchGetItems(doc, tableName, keyList, { projection: "id, title" });
      return new Map(items.map((item) => [String(item.id), String(item.title)]));
    },

    ...createEventChangeLog(doc, tableName),
    ...createMatchCommit(doc, tableName),
    ...createMaintenanceCommit(doc, tableName),
  };
}
