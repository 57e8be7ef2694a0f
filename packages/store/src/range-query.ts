import { type DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { Item } from "./items";
import type { IndexName } from "./table";

/**
 * Which sort keys of a partition a query reads (DynamoDB allows one condition on them): from
 * `from` to `to` (both inclusive, either open), below `below` (exclusive), or those beginning
 * with `prefix`. None: the whole partition.
 */
type KeyRange = { from?: string | undefined; to?: string | undefined } | { below: string } | { prefix: string };

/** A range of one partition of the table or of an index, and how to read it. */
export type RangeQuery = {
  tableName: string;
  /** The index read; the table's own keys when absent. */
  index?: IndexName | undefined;
  partition: string;
  range?: KeyRange | undefined;
  /** Descending sort keys (the newest first, for the time-keyed ones). */
  newestFirst?: boolean | undefined;
  /** A strong read (the table only: indexes are read eventually). */
  consistent?: boolean | undefined;
  projection?: string | undefined;
  /** A filter applied to every item read (a page counts the items read, not those kept). */
  filter?: { expression: string; values: Record<string, unknown> } | undefined;
};

/** What one request read: the items, the key to continue after them (none at the range's end), and how many were read before the filter. */
export type RangePage = { items: Item[]; lastKey: Item | undefined; scanned: number };

function keyCondition(query: RangeQuery): { expression: string; values: Record<string, unknown> } {
  const pk = query.index === undefined ? "pk" : `${query.index}pk`;
  const sk = query.index === undefined ? "sk" : `${query.index}sk`;
  const base = `${pk} = :pk`;
  const values = { ":pk": query.partition };
  const range = query.range;
  if (range === undefined) return { expression: base, values };
  if ("prefix" in range)
    return { expression: `${base} AND begins_with(${sk}, :prefix)`, values: { ...values, ":prefix": range.prefix } };
  if ("below" in range) return { expression: `${base} AND ${sk} < :below`, values: { ...values, ":below": range.below } };
  if (range.from !== undefined && range.to !== undefined)
    return { expression: `${base} AND ${sk} BETWEEN :from AND :to`, values: { ...values, ":from": range.from, ":to": range.to } };
  if (range.from !== undefined) return { expression: `${base} AND ${sk} >= :from`, values: { ...values, ":from": range.from } };
  if (range.to !== undefined) return { expression: `${base} AND ${sk} <= :to`, values: { ...values, ":to": range.to } };
  return { expression: base, values };
}

/** One Query request over a range: up to `limit` items (a page also stops at 1 MB), after `startKey`. */
export async function queryRangePage(
  doc: DynamoDBDocumentClient,
  query: RangeQuery,
  page: { limit?: number | undefined; startKey?: Item | undefined } = {},
): Promise<RangePage> {
  const condition = keyCondition(query);
  const result = await doc.send(
    new QueryCommand({
      TableName: query.tableName,
      ...(query.index === undefined ? {} : { IndexName: query.index }),
      KeyConditionExpression: condition.expression,
      ExpressionAttributeValues: { ...condition.values, ...query.filter?.values },
      ...(query.filter === undefined ? {} : { FilterExpression: query.filter.expression }),
      ...(query.newestFirst ? { ScanIndexForward: false } : {}),
      ...(query.consistent ? { ConsistentRead: true } : {}),
      ...(query.projection === undefined ? {} : { ProjectionExpression: query.projection }),
      ...(page.limit === undefined || !Number.isFinite(page.limit) ? {} : { Limit: page.limit }),
      ...(page.startKey === undefined ? {} : { ExclusiveStartKey: page.startKey }),
    }),
  );
  const items = result.Items ?? [];
  return { items, lastKey: result.LastEvaluatedKey, scanned: result.ScannedCount ?? items.length };
}

/**
 * Reads a range request after request until `limit` items (every item when absent) or the
 * range's end; `lastKey` continues right after the last item read (none at the end), and
 * `requests` says how many requests it took.
 */
export async function queryRange(
  doc: DynamoDBDocumentClient,
  query: RangeQuery,
  options: { limit?: number | undefined; startKey?: Item | undefined } = {},
): Promise<{ items: Item[]; lastKey: Item | undefined; requests: number }> {
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const items: Item[] = [];
  let startKey = options.startKey;
  let requests = 0;
  do {
    const page = await queryRangePage(doc, query, { limit: limit - items.length, startKey });
    requests += 1;
    items.push(...page.items);
    startKey = page.lastKey;
  } while (items.length < limit && startKey !== undefined);
  return { items, lastKey: startKey, requests };
}

/** Every item of a range, request after request. */
export async function queryAll(doc: DynamoDBDocumentClient, query: RangeQuery): Promise<Item[]> {
  return (await queryRange(doc, query)).items;
}
