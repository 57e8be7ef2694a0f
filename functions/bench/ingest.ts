import {
  BatchWriteCommand,
  type BatchWriteCommandInput,
  type BatchWriteCommandOutput,
  DynamoDBDocumentClient,
  ScanCommand,
} from "@aws-sdk/lib-dynamodb";
import { addSource, ingestDueSources } from "@eventwire/pipeline";
import { ENTITY } from "@eventwire/store";
import type { BenchContext, BenchFigures } from "./context";
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

/**
 * Ingest: articles per second from a local feed server through fetch, parse, theme, match and
 * store into DynamoDB Local, against the rate of BatchWriteItem writing the same article items
 * (each article is two items: summary and text) into a fresh table of the same DynamoDB Local.
 */
export async function benchIngest(context: BenchContext): Promise<BenchFigures> {
  const count = context.quick ? 100 : 1_000;
  const { endpoint, tableName } = await context.freshTable("ingest");
  const feeds = await startFeedServer((base) => ({ "/wire.xml": syntheticFeed(count, base, new Date()) }));
  const { deps, clients } = benchPipelineDeps(endpoint, tableName, quietLog(context.say));
  try {
    const added = await addSource(deps, { url: feeds.url("/wire.xml") });
    if (!added.ok) throw new Error(`bench source refused: ${added.error}`);
    const started = performance.now();
    const summary = await ingestDueSources(deps, { all: true });
    const ingestSeconds = (performance.now() - started) / 1000;
    if (summary.stored !== count)
      throw new Error(`ingest stored ${summary.stored} of ${count} articles (${summary.failed} sources failed)`);
    const ingestRate = count / ingestSeconds;

    const doc = DynamoDBDocumentClient.from(clients.client, { marshallOptions: { removeUndefinedValues: true } });
    const items = await scanItems(doc, tableName, [ENTITY.article, ENTITY.articleText]);
    const events = (await scanItems(doc, tableName, [ENTITY.event])).length;
    const raw = await context.freshTable("raw");
    const rawStarted = performance.now();
    await batchWrite(doc, raw.tableName, items);
    const rawRate = count / ((performance.now() - rawStarted) / 1000);
    context.say(
      `ingest: ${count} articles (${events} events) in ${ingestSeconds.toFixed(1)} s, ${ingestRate.toFixed(0)} articles/s; raw BatchWriteItem of the same ${items.length} items: ${rawRate.toFixed(0)} articles/s; ratio ${(ingestRate / rawRate).toFixed(2)}`,
    );
    return {
      ingest_articles_per_sec: ingestRate,
      ingest_raw_articles_per_sec: rawRate,
      ingest_ratio: ingestRate / rawRate,
      ingest_events: events,
    };
  } finally {
    clients.client.destroy();
    await feeds.close();
  }
}
