import { type DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { CORRECTIONS_SHOWN, type EventCorrection, type EventState } from "@eventwire/core";
import { eventFromItem } from "./event-item";
import { type FilteredPage, type FilteredPageRequest, queryFilteredPage } from "./filtered-page";
import { batchGetItems, type Item, type Page, type PageKey, toPageKey } from "./items";
import { ENTITY, keys } from "./keys";
import { createMaintenanceCommit, type MaintenanceCommits } from "./maintenance-commit";
import { createMatchCommit, type MatchCommits } from "./match-commit";
import { queryAll, queryRange, queryRangePage } from "./range-query";
import { queryTwoWayPage, type TwoWayPage, type TwoWayPageRequest } from "./two-way-page";
import { readWindowEvents, type WindowEvents, type WindowRequest } from "./window-events";

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

/** Events: read by id, by theme and activity, with their corrections; stored by the match and maintenance commits. */
export type EventRepository = MatchCommits &
  MaintenanceCommits & {
    /** One event, read with strong consistency, or null. */
    get(id: string): Promise<EventState | null>;
    /** A theme's events, the most recently active first. */
    listByTheme(themeId: string, request: { limit: number; after?: PageKey | null }): Promise<Page<EventState>>;
    /**
     * A theme's events last active at or after `activeSince` (an ISO time; null for all), the
     * most recently active first, keeping those `accept` takes and reading at most `maxRead`
     * events (see `queryFilteredPage`).
     */
    filterByTheme(
      themeId: string,
      activeSince: string | null,
      request: FilteredPageRequest<EventState>,
    ): Promise<FilteredPage<EventState>>;
    /**
     * A matcher's working set: the theme's live events of a window back from its most recently
     * active one, newest first, bounded in count and reads (see `readWindowEvents`).
     */
    readWindow(themeId: string, request: WindowRequest): Promise<WindowEvents>;
    /** The ids of a theme's events last active at or after `since` (an ISO time), the most recently active first. */
    idsActiveSince(themeId: string, since: string): Promise<string[]>;
    /**
     * A theme's events, the most recently active first, paged either way (the event feeds);
     * with `minSources`, only those reported by at least that many distinct sources.
     */
    pageByTheme(themeId: string, request: TwoWayPageRequest & { minSources?: number }): Promise<TwoWayPage<EventState>>;
    /** Events by id, read with strong consistency (missing ids are left out). */
    getMany(ids: readonly string[]): Promise<EventState[]>;
    /**
     * Events by id as a matcher may hold them, read with strong consistency: the live ones, and
     * the ids of those merged away or missing (`gone`), which a matcher must drop.
     */
    getLive(ids: readonly string[]): Promise<{ live: EventState[]; gone: string[] }>;
    /**
     * One event with its newest corrections (at most `CORRECTIONS_SHOWN`), in one strong read,
     * whether it is live or merged away; null when there is none.
     */
    lookup(id: string): Promise<EventLookup | null>;
    /**
     * When the theme's events last changed (an event opened or grew, or claimed articles), or
     * null before its first event. An article that joins no event changes none of its feeds.
     */
    changedAt(themeId: string): Promise<string | null>;
    /** The titles of events by id (missing ids are left out): a small read for naming them. */
    titles(ids: readonly string[]): Promise<Map<string, string>>;
  };

/** Events, and the transactions that store matching and maintenance decisions. */
export function createEventRepository(doc: DynamoDBDocumentClient, tableName: string): EventRepository {
  return {
    async get(id) {
      const result = await doc.send(new GetCommand({ TableName: tableName, Key: keys.event(id), ConsistentRead: true }));
      return result.Item ? eventFromItem(result.Item) : null;
    },

    async listByTheme(themeId, request) {
      const { items, lastKey } = await queryRange(
        doc,
        { tableName, index: "gsi2", partition: keys.themeEvents(themeId), newestFirst: true },
        { limit: request.limit, startKey: request.after ?? undefined },
      );
      return { items: items.map(eventFromItem), nextKey: toPageKey(lastKey) };
    },

    filterByTheme(themeId, activeSince, request) {
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

    readWindow(themeId, request) {
      return readWindowEvents(doc, tableName, themeId, request);
    },

    async idsActiveSince(themeId, since) {
      const items = await queryAll(doc, {
        tableName,
        index: "gsi2",
        partition: keys.themeEvents(themeId),
        range: { from: since },
        projection: "id",
        newestFirst: true,
      });
      return items.map((item) => String(item.id));
    },

    async pageByTheme(themeId, request) {
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

    async getMany(ids) {
      const items = await batchGetItems(
        doc,
        tableName,
        ids.map((id) => keys.event(id)),
        { consistent: true },
      );
      return items.map(eventFromItem);
    },

    async getLive(ids) {
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

    async lookup(id) {
      // "EVENT" sorts after "CORRECTION#…": newest first, the event comes first.
      const { items } = await queryRangePage(
        doc,
        { tableName, partition: keys.event(id).pk, newestFirst: true, consistent: true },
        { limit: CORRECTIONS_SHOWN + 1 },
      );
      const item = items.find((entry) => entry.sk === keys.event(id).sk);
      if (item === undefined) return null;
      const event = eventFromItem(item);
      const corrections = items.filter((entry) => entry.type === ENTITY.correction).map(correctionFromItem);
      if (typeof item.mergedInto !== "string") return { state: "live", event, corrections };
      return { state: "merged", event, mergedInto: item.mergedInto, mergedAt: String(item.mergedAt ?? ""), corrections };
    },

    async changedAt(themeId) {
      const result = await doc.send(new GetCommand({ TableName: tableName, Key: keys.matcher(themeId) }));
      return typeof result.Item?.changedAt === "string" ? result.Item.changedAt : null;
    },

    async titles(ids) {
      const keyList = [...new Set(ids)].map((id) => keys.event(id));
      const items = await batchGetItems(doc, tableName, keyList, { projection: "id, title" });
      return new Map(items.map((item) => [String(item.id), String(item.title)]));
    },

    ...createMatchCommit(doc, tableName),
    ...createMaintenanceCommit(doc, tableName),
  };
}
