import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { batchWriteItems } from "@eventwire/store";
import { itemBytes } from "./capacity";
import { DAY_MS, type YearGenerator } from "./year-data";
import { createYearDigests } from "./year-digests";

type Item = Record<string, unknown>;

/** Writes items with BatchWriteItem, 25 a request, `concurrency` requests at once, re-sending what comes back unprocessed. */
export type BulkWriter = {
  put(items: readonly Item[]): Promise<void>;
  /** Resolves once every item put so far is written. */
  flush(): Promise<void>;
};

export function createBulkWriter(doc: DynamoDBDocumentClient, tableName: string, concurrency = 4): BulkWriter {
  let buffer: Item[] = [];
  const inFlight = new Set<Promise<void>>();
  let failure: unknown = null;

  const send = (batch: Item[]) =>
    batchWriteItems(
      doc,
      tableName,
      batch.map((item) => ({ put: item })),
    );

  const start = async (batch: Item[]) => {
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
    if (failure !== null) throw failure;
    const running: Promise<void> = send(batch)
      .catch((error: unknown) => {
        failure ??= error;
      })
      .finally(() => inFlight.delete(running));
    inFlight.add(running);
  };

  return {
    async put(items) {
      buffer.push(...items);
      while (buffer.length >= 25) {
        const batch = buffer.slice(0, 25);
        buffer = buffer.slice(25);
        await start(batch);
      }
    },
    async flush() {
      while (buffer.length > 0) {
        const batch = buffer.slice(0, 25);
        buffer = buffer.slice(25);
        await start(batch);
      }
      await Promise.all(inFlight);
      if (failure !== null) throw failure;
    },
  };
}

/** A process's resident memory in MB (Linux's /proc), or NaN where it cannot be read. */
export function residentMb(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match === null ? Number.NaN : Number(match[1]) / 1024;
  } catch {
    return Number.NaN;
  }
}

/**
 * The seconds a JVM has spent collecting garbage since it started (`jstat -gcutil`'s GCT), or
 * NaN where jstat is missing or the process is gone: DynamoDB Local's, around a load.
 */
export function jvmGcSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const run = spawnSync("jstat", ["-gcutil", String(pid)], { encoding: "utf8", timeout: 10_000 });
  const [header, values] = (run.stdout ?? "").trim().split("\n");
  if (run.status !== 0 || header === undefined || values === undefined) return Number.NaN;
  const at = header.trim().split(/\s+/).indexOf("GCT");
  return at < 0 ? Number.NaN : Number(values.trim().split(/\s+/)[at]);
}

/** What writing the year took and holds. */
export type YearWritten = {
  articles: number;
  texts: number;
  events: number;
  changes: number;
  /** Search-index digests (slots and days) written. */
  digests: number;
  items: number;
  /** Sum of the items' sizes as DynamoDB counts them. */
  bytes: number;
  seconds: number;
  /** DynamoDB Local's resident memory at the end, and the most seen while writing (MB). */
  dynamoRssMb: number;
  dynamoPeakRssMb: number;
};

/**
 * Writes a whole year from `generator` (a day at a time, in order), calling `atDay` after the
 * days it names (with everything up to then written; its time is not counted as writing), and
 * reporting progress every 30 days.
 */
export async function writeYear(
  writer: BulkWriter,
  generator: YearGenerator,
  options: {
    dynamoPid: number | undefined;
    checkpoints: readonly number[];
    atDay(day: number, written: YearWritten): Promise<void>;
    say(line: string): void;
  },
): Promise<YearWritten> {
  const started = performance.now();
  const written: YearWritten = {
    articles: 0,
    texts: 0,
    events: 0,
    changes: 0,
    digests: 0,
    items: 0,
    bytes: 0,
    seconds: 0,
    dynamoRssMb: 0,
    dynamoPeakRssMb: 0,
  };
  const { shape } = generator;
  const digests = createYearDigests(shape.endMs - shape.days * DAY_MS, shape.endMs);
  const add = async (day: ReturnType<YearGenerator["nextDay"]>, last = false) => {
    // The search index's digests, as the maintenance pass would have built them.
    const indexItems = digests.take(day.items, last);
    written.digests = digests.written.digests;
    written.items += indexItems.length;
    for (const item of indexItems) written.bytes += itemBytes(item);
    await writer.put(indexItems);
    written.articles += day.articles;
    written.texts += day.texts;
    written.events += day.events;
    written.changes += day.changes;
    written.items += day.items.length;
    for (const item of day.items) written.bytes += itemBytes(item);
    await writer.put(day.items);
  };
  // Time spent measuring at the checkpoints is not time spent writing.
  let pausedMs = 0;
  const measure = () => {
    written.seconds = (performance.now() - started - pausedMs) / 1000;
    written.dynamoRssMb = residentMb(options.dynamoPid);
    written.dynamoPeakRssMb = Math.max(written.dynamoPeakRssMb, written.dynamoRssMb);
  };
  for (let day = 1; day <= generator.shape.days; day += 1) {
    await add(generator.nextDay());
    if (day === generator.shape.days) await add(generator.finish(), true);
    if (day % 30 === 0 || options.checkpoints.includes(day)) {
      await writer.flush();
      measure();
      if (day % 30 === 0)
        options.say(
          `year: day ${day}, ${written.articles} articles, ${written.events} events, ${written.items} items (${(written.bytes / 2 ** 20).toFixed(0)} MB) in ${written.seconds.toFixed(0)} s; DynamoDB Local RSS ${written.dynamoRssMb.toFixed(0)} MB`,
        );
      if (options.checkpoints.includes(day)) {
        const paused = performance.now();
        await options.atDay(day, written);
        pausedMs += performance.now() - paused;
      }
    }
  }
  await writer.flush();
  measure();
  return written;
}
