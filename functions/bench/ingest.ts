import {
  BatchWriteCommand,
  type BatchWriteCommandInput,
  type BatchWriteCommandOutput,
  DynamoDBDocumentClient,
  ScanCommand,
} from "@aws-sdk/lib-dynamodb";
import { addSource, ingestDueSources } from "@eventwire/pipeline";
import { createDynamoClients, ENTITY } from "@eventwire/store";
import { itemBytes, meterWrites } from "./capacity";
import { type BenchContext, type BenchFigures, median } from "./context";
import { startFeedServer, syntheticFeed } from "./feed";
import { benchPipelineDeps, quietLog } from "./pipeline-deps";

type Item = Record<string, unknown>;

/** Every item of `tableName` of the given types (a Scan: the bench's tables are small). */
async function scanItems(doc: DynamoDBDocumentClient, tableName: string, types: readonly string[]): Promise<Item[]> {
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) if (types.includes(String(item.type))) items.push(item);
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
}

/** Writes `items` with BatchWriteItem, 25 a request, one request at a time, re-sending what comes back unprocessed. */
async function batchWrite(doc: DynamoDBDocumentClient, tableName: string, items: readonly Item[]): Promise<void> {
  for (let index = 0; index < items.length; index += 25) {
    let request: BatchWriteCommandInput["RequestItems"] = {
      [tableName]: items.slice(index, index + 25).map((item) => ({ PutRequest: { Item: item } })),
    };
    while (request !== undefined && Object.keys(request).length > 0) {
      const result: BatchWriteCommandOutput = await doc.send(new BatchWriteCommand({ RequestItems: request }));
      request = result.UnprocessedItems;
    }
  }
}

type IngestRun = {
  count: number;
  seconds: number;
  articleItems: Item[];
  allItems: Item[];
  events: number;
  /** Write capacity units the ingest's writes cost, as DynamoDB bills them (a metered run only). */
  writeUnits: number;
};

/**
 * One ingest of a `count`-item synthetic feed into a fresh table, timed, and the items it stored;
 * `metered`: its writes' cost counted too (which slows them: that run's time means nothing).
 */
async function ingestFeed(context: BenchContext, count: number, seed: number, metered = false): Promise<IngestRun> {
  const { endpoint, tableName } = await context.freshTable("ingest");
  const feeds = await startFeedServer((base) => ({ "/wire.xml": syntheticFeed(count, base, new Date(), seed) }));
  const { deps, clients } = benchPipelineDeps(endpoint, tableName, quietLog(context.say));
  try {
    const added = await addSource(deps, { url: feeds.url("/wire.xml") });
    if (!added.ok) throw new Error(`bench source refused: ${added.error}`);
    const meter = metered ? meterWrites(clients.client, clients.doc, tableName) : null;
    const started = performance.now();
    const summary = await ingestDueSources(deps, { all: true });
    const seconds = (performance.now() - started) / 1000;
    const writeUnits = meter?.units ?? 0;
    if (summary.stored !== count)
      throw new Error(`ingest stored ${summary.stored} of ${count} articles (${summary.failed} sources failed)`);
    const doc = DynamoDBDocumentClient.from(clients.client, { marshallOptions: { removeUndefinedValues: true } });
    const allItems = await scanItems(doc, tableName, Object.values(ENTITY));
    const articleItems = allItems.filter((item) => item.type === ENTITY.article || item.type === ENTITY.articleText);
    const events = allItems.filter((item) => item.type === ENTITY.event).length;
    return { count, seconds, articleItems, allItems, events, writeUnits };
  } finally {
    clients.client.destroy();
    await feeds.close();
  }
}

/**
 * Seconds for BatchWriteItem to write `items` into a fresh table of the run's DynamoDB Local;
 * `metered`: the write units instead (the time of a metered write means nothing).
 */
export async function rawWrite(
  context: BenchContext,
  items: readonly Item[],
  metered = false,
): Promise<{ seconds: number; writeUnits: number }> {
  const raw = await context.freshTable("raw");
  const { client, doc: reader } = createDynamoClients({ endpoint: raw.endpoint, region: "local" });
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const meter = metered ? meterWrites(client, reader, raw.tableName) : null;
  try {
    const started = performance.now();
    await batchWrite(doc, raw.tableName, items);
    return { seconds: (performance.now() - started) / 1000, writeUnits: meter?.units ?? 0 };
  } finally {
    client.destroy();
  }
}

/**
 * Ingest: articles per second from a local feed server through fetch, parse, theme, match and
 * store into DynamoDB Local, against the rate of BatchWriteItem writing the same article items
 * (each article is two items: summary and text) into a fresh table of the same DynamoDB Local.
 * Also reported: the rate of BatchWriteItem writing every item the ingest stored (events and
 * the change log too), as a second reference. A smaller unmeasured round of both comes first,
 * so neither is measured while DynamoDB Local's JVM warms up; then the product and the
 * references take turns over several rounds (each on fresh tables), and each rate is the
 * median, so a slow stretch of the shared machine weighs on both sides alike. The write cost is
 * counted too, in one more run: the write units DynamoDB would bill for every write the ingest
 * sent (`meterWrites`), and the bytes of all it stored, each an article, beside the same of the
 * article items alone.
 */
export async function benchIngest(context: BenchContext): Promise<BenchFigures> {
  const count = context.quick ? 100 : 1_000;
  const rounds = context.quick ? 1 : 3;
  const warm = await ingestFeed(context, context.quick ? 50 : 200, 5);
  await rawWrite(context, warm.allItems);
  const rates = { ingest: [] as number[], raw: [] as number[], rawAll: [] as number[] };
  let last: IngestRun | undefined;
  for (let round = 0; round < rounds; round += 1) {
    const run = await ingestFeed(context, count, 11);
    rates.ingest.push(count / run.seconds);
    rates.raw.push(count / (await rawWrite(context, run.articleItems)).seconds);
    rates.rawAll.push(count / (await rawWrite(context, run.allItems)).seconds);
    last = run;
  }
  const run = last as IngestRun;
  // The write cost, from one more run of the same feed, metered: every write the ingest sent
  // (articles, events, change items, counters; transactions billed twice) against the floor,
  // the article items alone written by BatchWriteItem.
  const metered = await ingestFeed(context, count, 11, true);
  const floor = await rawWrite(context, metered.articleItems, true);
  const bytes = (items: readonly Item[]) => items.reduce((sum, item) => sum + itemBytes(item), 0);
  const cost = {
    units: metered.writeUnits / count,
    floorUnits: floor.writeUnits / count,
    bytes: bytes(metered.allItems) / count,
    floorBytes: bytes(metered.articleItems) / count,
  };
  const ingestRate = median(rates.ingest);
  const rawRate = median(rates.raw);
  const rawAllRate = median(rates.rawAll);
  const list = (values: number[]) => values.map((value) => value.toFixed(0)).join(", ");
  context.say(
    `ingest: ${count} articles (${run.events} events), ${rounds} rounds in turn with the references: ${ingestRate.toFixed(0)} articles/s (${list(rates.ingest)}); raw BatchWriteItem of the same ${run.articleItems.length} article items: ${rawRate.toFixed(0)} articles/s (${list(rates.raw)}), ratio ${(ingestRate / rawRate).toFixed(2)}; of all ${run.allItems.length} items stored: ${rawAllRate.toFixed(0)} articles/s (${list(rates.rawAll)}), ratio ${(ingestRate / rawAllRate).toFixed(2)}`,
  );
  context.say(
    `ingest write cost: ${cost.units.toFixed(1)} write units and ${cost.bytes.toFixed(0)} bytes stored an article; the article items alone by BatchWriteItem: ${cost.floorUnits.toFixed(1)} units, ${cost.floorBytes.toFixed(0)} bytes; ratio ${(cost.units / cost.floorUnits).toFixed(2)}`,
  );
  return {
    ingest_articles_per_sec: ingestRate,
    ingest_raw_articles_per_sec: rawRate,
    ingest_ratio: ingestRate / rawRate,
    ingest_raw_all_items_articles_per_sec: rawAllRate,
    ingest_ratio_all_items: ingestRate / rawAllRate,
    ingest_events: run.events,
    ingest_wcu_per_article: cost.units,
    ingest_wcu_floor_per_article: cost.floorUnits,
    ingest_wcu_ratio: cost.units / cost.floorUnits,
    ingest_bytes_per_article: cost.bytes,
    ingest_bytes_floor_per_article: cost.floorBytes,
  };
}
