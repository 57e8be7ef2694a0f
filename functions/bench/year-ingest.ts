import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { BatchGetCommand, DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { MatchInput } from "@eventwire/core";
import { addSource, ingestDueSources } from "@eventwire/pipeline";
import { keys } from "@eventwire/store";
import { buildBundles } from "../build";
import { bundleEnv, firstEvent } from "./bundles";
import { itemBytes, meterWrites } from "./capacity";
import { runChild } from "./child";
import { type BenchContext, median } from "./context";
import { startFeedServer } from "./feed";
import { rawWrite } from "./ingest";
import { benchPipelineDeps, quietLog } from "./pipeline-deps";

type Item = Record<string, unknown>;
const here = path.dirname(fileURLToPath(import.meta.url));

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** An RSS 2.0 document of `reports`, newest first, each with its full text as its description. */
function reportsFeed(reports: readonly MatchInput[], base: string): string {
  const items = [...reports]
    .sort((a, b) => b.publishedAt.localeCompare(a.publishedAt))
    .map(
      (report) =>
        `<item><title>${escapeXml(report.title)}</title><link>${base}/r/${report.id}</link><guid>${base}/r/${report.id}</guid><pubDate>${new Date(report.publishedAt).toUTCString()}</pubDate><description>${escapeXml(report.text)}</description></item>`,
    );
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Year wire</title><link>${base}/</link><description>Synthetic reports</description>${items.join("")}</channel></rss>`;
}

/** The article items (and their texts) stored for one source, read back by its index partition. */
async function storedOf(doc: DynamoDBDocumentClient, tableName: string, sourceId: string): Promise<Item[]> {
  const articles: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: "gsi3",
        KeyConditionExpression: "gsi3pk = :source",
        ExpressionAttributeValues: { ":source": keys.sourceArticles(sourceId) },
        ExclusiveStartKey: start,
      }),
    );
    articles.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  const texts: Item[] = [];
  for (let index = 0; index < articles.length; index += 100) {
    const wanted = articles.slice(index, index + 100).map((item) => keys.articleText(String(item.id)));
    const page = await doc.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: wanted } } }));
    texts.push(...(page.Responses?.[tableName] ?? []));
  }
  return [...articles, ...texts];
}

export type YearWriteCost = { articles: number; units: number; floorUnits: number; bytes: number; floorBytes: number };

/**
 * The write cost of new reports on the year: `reports` ingested through the product's path (one
 * feed, `ingestDueSources`) with the write meter on, every write it sends counted (articles,
 * events, change items, counters); the floor is the stored articles' own items (article and
 * text) written by BatchWriteItem into a fresh table, metered alike.
 */
export async function measureYearWriteCost(
  context: BenchContext,
  table: { endpoint: string; tableName: string },
  reports: readonly MatchInput[],
): Promise<YearWriteCost> {
  const feeds = await startFeedServer((base) => ({ "/cost.xml": reportsFeed(reports, base) }));
  const { deps, clients } = benchPipelineDeps(table.endpoint, table.tableName, quietLog(context.say));
  try {
    const added = await addSource(deps, { url: feeds.url("/cost.xml") });
    if (!added.ok) throw new Error(`year cost source refused: ${added.error}`);
    const meter = meterWrites(clients.client, clients.doc, table.tableName);
    const summary = await ingestDueSources(deps, { all: true });
    if (summary.stored !== reports.length)
      throw new Error(`the year's ingest stored ${summary.stored} of ${reports.length} reports`);
    const doc = DynamoDBDocumentClient.from(clients.client, { marshallOptions: { removeUndefinedValues: true } });
    const units = meter.units;
    const bytes = meter.bytesAdded;
    const stored = await storedOf(doc, table.tableName, added.source.id);
    const floor = await rawWrite(context, stored, true);
    return {
      articles: reports.length,
      units,
      floorUnits: floor.writeUnits,
      bytes,
      floorBytes: stored.reduce((sum, item) => sum + itemBytes(item), 0),
    };
  } finally {
    clients.client.destroy();
    await feeds.close();
  }
}

export type YearColdStart = { ms: number; runs: number[]; matched: number; logged: string[] };

/**
 * A cold ingest worker on the year: the built `ingest-worker` bundle in a fresh `node` (as
 * `bench`'s bundles module starts it) given one queue message for a feed of a few new reports
 * on 127.0.0.1; the time from spawn to its answer, which comes once the feed's reports are
 * committed, matched (an upper bound on the first committed match). One unmeasured run on a
 * feed of its own first (DynamoDB Local's JVM warming up is not the function's cold start),
 * then `runs` measured ones, each on a new feed; the median.
 */
export async function measureYearColdStart(
  context: BenchContext,
  table: { endpoint: string; tableName: string },
  feedsOf: (run: number) => MatchInput[],
  runs: number,
): Promise<YearColdStart> {
  const root = path.resolve(here, "../..");
  // Built as `npm run build` builds them, into a folder of its own: not dist/, which another
  // bench run (its bundles module) may be rebuilding at the same time.
  const outDir = mkdtempSync(path.join(os.tmpdir(), "eventwire-year-"));
  const bundles = await buildBundles(root, outDir);
  const worker = bundles.find((bundle) => bundle.name === "ingest-worker");
  if (worker === undefined) throw new Error("no ingest-worker bundle was built");
  const reports = Array.from({ length: runs + 1 }, (_, run) => feedsOf(run));
  const feeds = await startFeedServer((base) =>
    Object.fromEntries(reports.map((list, run) => [`/cold-${run}.xml`, reportsFeed(list, base)])),
  );
  const { deps, clients } = benchPipelineDeps(table.endpoint, table.tableName, quietLog(context.say));
  const times: number[] = [];
  const logged: string[] = [];
  let matched = 0;
  try {
    for (let run = 0; run <= runs; run += 1) {
      const added = await addSource(deps, { url: feeds.url(`/cold-${run}.xml`) });
      if (!added.ok) throw new Error(added.error);
      const env = bundleEnv("ingest-worker", table, {
        EVENTWIRE_SOURCES: "",
        EVENTWIRE_CURSOR_SECRET: "bench-cursor-secret-0123456789",
        // What it loaded and how long that took ("matcher cache loaded") is logged at debug.
        EVENTWIRE_LOG_LEVEL: "debug",
      });
      const started = performance.timeOrigin + performance.now();
      const child = await runChild(
        process.execPath,
        [path.join(here, "cold-start.mjs"), worker.file, JSON.stringify(firstEvent("ingest-worker", added.source.id))],
        env,
      );
      const line = child.stdout.trim().split("\n").pop() ?? "";
      if (child.code !== 0 || !line.startsWith("{"))
        throw new Error(`the ingest worker failed on the year (exit ${child.code}): ${child.stderr.slice(-2000)}`);
      const { answeredAtMs } = JSON.parse(line) as { answeredAtMs: number };
      if (run > 0) times.push(answeredAtMs - started);
      // What the worker says it loaded, if it says so (JSON log lines on stderr).
      for (const entry of child.stderr.split("\n")) if (/load|cache|working set/i.test(entry)) logged.push(entry.slice(0, 300));
      const stored = await deps.store.articles.listBySource(added.source.id, { limit: 100 });
      matched += run > 0 ? stored.items.filter((article) => article.eventId !== null).length : 0;
      if (run > 0 && stored.items.length !== reports[run]?.length)
        throw new Error(`the cold worker stored ${stored.items.length} of ${reports[run]?.length} reports`);
    }
  } finally {
    clients.client.destroy();
    await feeds.close();
    rmSync(outDir, { recursive: true, force: true });
  }
  return { ms: median(times), runs: times, matched, logged };
}
