import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createDynamoClients, createStore, ensureTable } from "@eventwire/store";
import { startDynamoLocal } from "../local/dynamo-local";
import type { BenchContext, BenchFigures } from "./context";
import { median } from "./context";
import { targetCell, YEAR_TARGETS } from "./report";
import { API_KINDS, type ApiKind, apiP99, apiPaths, followPages, serialMedians, startYearApi, type YearApi } from "./year-api";
import { type ChartSeries, renderYearChart } from "./year-chart";
import { createYearGenerator, DAY_MS, yearShape } from "./year-data";
import { measureYearColdStart, measureYearWriteCost } from "./year-ingest";
import { measureYearMatcher } from "./year-matcher";
import { createBulkWriter, jvmGcSeconds, residentMb, writeYear } from "./year-write";

const here = path.dirname(fileURLToPath(import.meta.url));
/** Where a run draws its chart (BENCHMARKS.md links it); a --quick run draws its own in the temp folder. */
const YEAR_CHART = path.resolve(here, "../../docs/images/bench-year.svg");

/** Days after which the API is measured while the year fills: 1, 3, 6 and 12 months. */
const CHECKPOINTS = [30, 91, 182, 365] as const;
const MATCHER_SIZES = [100, 1_000, 10_000, 100_000] as const;
const COLOURS: Record<ApiKind, string> = { events: "#1f77b4", source: "#ff7f0e", event: "#2ca02c", search: "#d62728" };
/** The old search's walk stops at this many pages, or after this long, whichever comes first. */
const PAGE_CAP = 2_000;
const WALK_BUDGET_MS = 10 * 60_000;

/** The Java heap DynamoDB Local may take: the table itself lives outside it (SQLite, in native memory). */
const DYNAMO_HEAP = "-Xmx3g";

/**
 * DynamoDB Local in memory for the year, its Java heap bounded (JAVA_TOOL_OPTIONS, which the JVM
 * reads, set for its start only): left to itself it takes a quarter of the machine's memory
 * under the API's load, beside the table.
 */
async function startYearDynamo() {
  const before = process.env.JAVA_TOOL_OPTIONS;
  process.env.JAVA_TOOL_OPTIONS = `${before ?? ""} ${DYNAMO_HEAP}`.trim();
  try {
    return await startDynamoLocal({ dataDir: null });
  } finally {
    if (before === undefined) delete process.env.JAVA_TOOL_OPTIONS;
    else process.env.JAVA_TOOL_OPTIONS = before;
  }
}

/** A line of the year's figures with the target its key has, if any. */
function line(key: string, value: number, text: string): string {
  const target = targetCell(key, value, YEAR_TARGETS);
  return `${text}${target === "" ? "" : ` (target ${target})`}`;
}

/** The p99 of each request on both tables, taken in turn slice by slice; the median slice's each. */
async function compareApis(
  year: YearApi,
  small: YearApi,
  paths: { year: Record<ApiKind, string>; small: Record<ApiKind, string> },
  context: BenchContext,
  dynamoPid: number | undefined,
) {
  const slices = context.quick ? 1 : 4;
  const seconds = Math.max(1, Math.round(context.loadSeconds / slices));
  const runs = { year: [] as Record<ApiKind, number>[], small: [] as Record<ApiKind, number>[] };
  // DynamoDB Local's garbage collection during each table's slices: its JVM serves both.
  const gc = { year: 0, small: 0 };
  const timedGc = async <T>(table: "year" | "small", work: () => Promise<T>) => {
    const before = jvmGcSeconds(dynamoPid);
    const result = await work();
    gc[table] += jvmGcSeconds(dynamoPid) - before;
    return result;
  };
  for (let slice = 0; slice < slices; slice += 1) {
    const load = { seconds, slices: 1, warm: slice === 0, minAnswers: context.quick ? 50 : 100 };
    runs.year.push(await timedGc("year", () => apiP99(year.apiUrl, paths.year, load)));
    runs.small.push(await timedGc("small", () => apiP99(small.apiUrl, paths.small, load)));
  }
  const pick = (list: Record<ApiKind, number>[]) =>
    Object.fromEntries(API_KINDS.map((kind) => [kind, median(list.map((entry) => entry[kind]))])) as Record<ApiKind, number>;
  // One request at a time, in turn: what each costs alone on either table.
  const serial = { year: await serialMedians(year.apiUrl, paths.year), small: await serialMedians(small.apiUrl, paths.small) };
  return { year: pick(runs.year), small: pick(runs.small), serial, gc };
}

/**
 * A year of news: writes a synthetic year of one busy theme (5,000 reports a day, 100,000
 * events; `--year-scale` takes a share of it) into an in-memory DynamoDB Local of its own with
 * the store's item builders, measuring the API as it fills; then, on the whole year, the API
 * against a small table, the matcher on the newest events, a cold ingest worker, the write cost
 * of new reports, and last an old search. Not part of a default run.
 */
export async function benchYear(context: BenchContext): Promise<BenchFigures> {
  const scale = context.yearScale ?? (context.quick ? 0.002 : 1);
  const endMs = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  const dynamo = await startYearDynamo();
  const clients = createDynamoClients({ endpoint: dynamo.endpoint, region: "local" });
  const stacks: YearApi[] = [];
  try {
    const year = { endpoint: dynamo.endpoint, tableName: "bench-year" };
    const reference = { endpoint: dynamo.endpoint, tableName: "bench-year-small" };
    await ensureTable(clients.client, year.tableName);
    await ensureTable(clients.client, reference.tableName);
    const doc = DynamoDBDocumentClient.from(clients.client, { marshallOptions: { removeUndefinedValues: true } });
    // The reference: about 1,000 reports of a week, made the same way.
    const smallGenerator = createYearGenerator(yearShape(1, endMs, { days: 7, articlesPerDay: 143, events: 80 }));
    const small = await writeYear(createBulkWriter(doc, reference.tableName), smallGenerator, {
      dynamoPid: dynamo.pid,
      checkpoints: [],
      atDay: async () => undefined,
      say: () => undefined,
    });
    const smallApi = await startYearApi(context, reference.endpoint, reference.tableName);
    stacks.push(smallApi);
    const yearApi = await startYearApi(context, year.endpoint, year.tableName);
    stacks.push(yearApi);
    const smallPaths = apiPaths(smallGenerator);

    const generator = createYearGenerator(yearShape(scale, endMs));
    const shape = generator.shape;
    context.say(
      `year: writing ${shape.days} days of ${shape.articlesPerDay} reports a day (${(shape.offThemeShare * 100).toFixed(0)}% off-theme), ${shape.events} events planned, ${shape.sources} sources, full texts for the last ${shape.textDays} days, into DynamoDB Local in memory (4 BatchWriteItem writers)`,
    );
    const growth: { day: number; articles: number; p99: Record<ApiKind, number> }[] = [];
    const checkpointSeconds = context.quick ? 1 : 4;
    const written = await writeYear(createBulkWriter(doc, year.tableName), generator, {
      dynamoPid: dynamo.pid,
      checkpoints: CHECKPOINTS,
      say: context.say,
      async atDay(day, sofar) {
        const p99 = await apiP99(yearApi.apiUrl, apiPaths(generator), {
          seconds: checkpointSeconds,
          slices: 1,
          warm: true,
          minAnswers: context.quick ? 50 : 100,
        });
        growth.push({ day, articles: sofar.articles, p99 });
        context.say(
          `year: after ${day} days (${sofar.articles} articles), API p99 ${API_KINDS.map((kind) => `${kind} ${p99[kind]} ms`).join(", ")} (${checkpointSeconds} s each)`,
        );
      },
    });
    const nodeRssMb = process.memoryUsage().rss / 2 ** 20;
    context.say(
      `year: ${written.articles} articles (${written.texts} with full text), ${written.events} events, ${written.changes} change items, ${written.digests} search digests; ${written.items} items, ${(written.bytes / 2 ** 20).toFixed(0)} MB as DynamoDB counts them, written in ${written.seconds.toFixed(0)} s (${(written.items / written.seconds).toFixed(0)} items/s); DynamoDB Local RSS ${written.dynamoRssMb.toFixed(0)} MB (peak ${written.dynamoPeakRssMb.toFixed(0)} MB), bench process ${nodeRssMb.toFixed(0)} MB`,
    );
    const figures: BenchFigures = {
      year_scale: scale,
      year_articles: written.articles,
      year_articles_with_text: written.texts,
      year_events: written.events,
      year_change_items: written.changes,
      year_search_digests: written.digests,
      year_items: written.items,
      year_table_mb: written.bytes / 2 ** 20,
      year_generate_s: written.seconds,
      year_dynamo_rss_mb: written.dynamoRssMb,
      year_dynamo_peak_rss_mb: written.dynamoPeakRssMb,
    };
    // The API as the year filled (the chart's points): articles then, and each request's p99.
    for (const { day, articles, p99 } of growth) {
      figures[`year_day_${day}_articles`] = articles;
      for (const kind of API_KINDS) figures[`api_year_p99_ms_${kind}_day_${day}`] = p99[kind];
    }

    // The API on the whole year against the same requests on the small table.
    const paths = apiPaths(generator);
    const api = await compareApis(yearApi, smallApi, { year: paths, small: smallPaths }, context, dynamo.pid);
    let worst = 0;
    for (const kind of API_KINDS) {
      const ratio = api.year[kind] / api.small[kind];
      worst = Math.max(worst, ratio);
      figures[`api_year_p99_ms_${kind}`] = api.year[kind];
      figures[`api_small_p99_ms_${kind}`] = api.small[kind];
      figures[`api_year_p99_ratio_${kind}`] = ratio;
      figures[`api_year_serial_ms_${kind}`] = api.serial.year[kind];
      figures[`api_small_serial_ms_${kind}`] = api.serial.small[kind];
      context.say(
        `year API ${paths[kind]}: p99 ${api.year[kind].toFixed(0)} ms on the year, ${api.small[kind].toFixed(0)} ms on ${small.articles} articles (${smallPaths[kind]}): ratio ${ratio.toFixed(2)}; one at a time, median ${api.serial.year[kind].toFixed(1)} against ${api.serial.small[kind].toFixed(1)} ms`,
      );
    }
    figures.api_year_p99_ratio = worst;
    // Where jstat is missing (a JRE without the JDK's tools), not measured.
    if (Number.isFinite(api.gc.year) && Number.isFinite(api.gc.small)) {
      figures.year_dynamo_gc_s_year_load = api.gc.year;
      figures.year_dynamo_gc_s_small_load = api.gc.small;
      context.say(
        `year API: DynamoDB Local's JVM collected garbage for ${api.gc.year.toFixed(1)} s during the year's load slices, ${api.gc.small.toFixed(1)} s during the small table's`,
      );
    }
    figures.year_small_articles = small.articles;
    context.say(line("api_year_p99_ratio", worst, `api_year_p99_ratio (the worst of the four): ${worst.toFixed(2)}`));
    growth.unshift({ day: 0, articles: small.articles, p99: api.small });

    // The matcher on the newest events of the year.
    const store = createStore(clients, year.tableName);
    const sizes = MATCHER_SIZES.map((size) => Math.min(size, written.events));
    const probes = generator.freshReports(context.quick ? 100 : 400, 99);
    const matcher = await measureYearMatcher(store, sizes, probes, context.quick ? 3 : 7);
    figures.year_matcher_heap_mb = matcher.heapMb;
    for (const [index, entry] of matcher.sizes.entries()) {
      figures[`matcher_us_per_article_year_${MATCHER_SIZES[index]}`] = entry.micros;
      figures[`matcher_year_held_${MATCHER_SIZES[index]}`] = entry.held;
      context.say(
        `year matcher, newest ${entry.events} events given, ${entry.held} held by the index: ${entry.micros.toFixed(1)} µs per article, ${entry.candidates.toFixed(1)} candidates scored`,
      );
    }
    const scaling = (matcher.sizes.at(-1)?.micros ?? Number.NaN) / (matcher.sizes[0]?.micros ?? Number.NaN);
    figures.matcher_scaling_100k = scaling;
    context.say(`year matcher: the bench's heap with the four indexes built: ${matcher.heapMb.toFixed(0)} MB`);
    context.say(line("matcher_scaling_100k", scaling, `matcher_scaling_100k (100,000 ÷ 100 events): ${scaling.toFixed(2)}`));

    // A cold ingest worker's first match on the year.
    const cold = await measureYearColdStart(
      context,
      year,
      (run) => generator.freshReports(5, 1_000 + run),
      context.quick ? 1 : 3,
    );
    figures.cold_year_first_match_ms = cold.ms;
    context.say(
      line(
        "cold_year_first_match_ms",
        cold.ms,
        `year cold ingest worker: spawn to its answer with 5 new reports committed, ${cold.ms.toFixed(0)} ms (runs ${cold.runs.map((ms) => ms.toFixed(0)).join(", ")}; ${cold.matched} of the reports joined or opened events)${cold.logged.length > 0 ? `; it logged: ${cold.logged.join(" | ")}` : "; it logs nothing of what it loaded"}`,
      ),
    );

    // The write cost of new reports on the year.
    const cost = await measureYearWriteCost(context, year, generator.freshReports(context.quick ? 50 : 300, 500));
    Object.assign(figures, {
      year_wcu_per_article: cost.units / cost.articles,
      year_wcu_floor_per_article: cost.floorUnits / cost.articles,
      year_wcu_ratio: cost.units / cost.floorUnits,
      year_bytes_per_article: cost.bytes / cost.articles,
      year_bytes_floor_per_article: cost.floorBytes / cost.articles,
    });
    context.say(
      line(
        "year_wcu_ratio",
        cost.units / cost.floorUnits,
        `year write cost of ${cost.articles} new reports: ${(cost.units / cost.articles).toFixed(1)} write units and ${(cost.bytes / cost.articles).toFixed(0)} bytes added an article; their own items by BatchWriteItem: ${(cost.floorUnits / cost.articles).toFixed(1)} units, ${(cost.floorBytes / cost.articles).toFixed(0)} bytes; ratio ${(cost.units / cost.floorUnits).toFixed(2)}`,
      ),
    );
    // A search for a word only an event about six months old used.
    const old = generator.eventAround(182);
    if (old === null) throw new Error("the year has no event about six months old");
    // Last: on a table without a search index the walk reads the whole theme, page by page.
    const walk = await followPages(yearApi.apiUrl, `/api/v1/articles?theme=isis-syria&q=${old.word}`, {
      pages: PAGE_CAP,
      ms: WALK_BUDGET_MS,
    });
    Object.assign(figures, {
      search_old_pages: walk.pages,
      search_old_ms: walk.ms,
      search_old_found: walk.found,
      search_old_expected: old.articles,
      search_old_last_match_page: walk.lastFound,
      search_old_capped: walk.capped ? 1 : 0,
    });
    context.say(
      line(
        "search_old_pages",
        walk.pages,
        `year search for "${old.word}" (only an event last seen ${((endMs - old.lastSeen) / DAY_MS).toFixed(0)} days before the end, ${old.articles} articles): ${walk.pages} pages${walk.capped ? ` (stopped at the cap: ${PAGE_CAP} pages or ${WALK_BUDGET_MS / 60_000} min)` : ""}, ${walk.found} articles found, the last on page ${walk.lastFound}, ${walk.ms.toFixed(0)} ms`,
      ),
    );

    figures.year_dynamo_rss_end_mb = residentMb(dynamo.pid);

    const chart = renderYearChart({
      title: `A year of news (${written.articles.toLocaleString("en")} articles, ${written.events.toLocaleString("en")} events)`,
      matcher: [
        {
          name: "µs per article",
          colour: "#1f77b4",
          points: matcher.sizes.map((entry) => ({ x: entry.events, y: entry.micros })),
        },
      ],
      api: API_KINDS.map(
        (kind): ChartSeries => ({
          name: paths[kind].replace(/=[0-9a-f]{32}/, "=…").replace(/q=\w+/, "q=…"),
          colour: COLOURS[kind],
          points: growth.map((entry) => ({ x: entry.articles, y: entry.p99[kind] })),
        }),
      ),
    });
    const file = context.quick ? path.join(os.tmpdir(), "bench-year.svg") : YEAR_CHART;
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, chart);
    context.say(`year chart written to ${file}`);
    return figures;
  } finally {
    for (const stack of stacks) await stack.stop();
    clients.client.destroy();
    await dynamo.stop();
  }
}
