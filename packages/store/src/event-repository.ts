import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { EventState } from "@eventwire/core";
import { createEventChangeLog } from "./event-change-log";
import { eventFromItem } from "./event-item";
import { type FilteredPage, type FilteredPageRequest, queryFilteredPage } from "./filtered-page";
import { batchGetItems, type Item, type Page, type PageKey, toPageKey } from "./items";
import { keys } from "./keys";
import { createMatchCommit } from "./match-commit";
import { queryTwoWayPage, type TwoWayPage, type TwoWayPageRequest } from "./two-way-page";

export type EventRepository = ReturnType<typeof createEventRepository>;

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

    /** The titles of events by id (missing ids are left out): a small read for naming them. */
    async titles(ids: readonly string[]): Promise<Map<string, string>> {
      const keyList = [...new Set(ids)].map((id) => keys.event(id));
      const items = await batchGetItems(doc, tableName, keyList, { projection: "id, title" });
      return new Map(items.map((item) => [String(item.id), String(item.title)]));
    },

    ...createEventChangeLog(doc, tableName),
    ...createMatchCommit(doc, tableName),
  };
}
