import autocannon from "autocannon";
import { type LocalStack, startLocalStack } from "../local/stack";
import type { BenchContext } from "./context";
import { benchSettings, quietLog } from "./pipeline-deps";
import { YEAR_THEME, type YearGenerator } from "./year-data";

/** The four requests measured on a year, each against the same on a small table. */
export const API_KINDS = ["events", "source", "event", "search"] as const;
export type ApiKind = (typeof API_KINDS)[number];
const CONNECTIONS = 50;

/**
 * The paths of the measured requests on what `generator` has written so far: the theme's
 * events, the busiest source's articles, the articles of the busiest event of the last two
 * days, and a search for that event's own word (a word of recent articles).
 */
export function apiPaths(generator: YearGenerator): Record<ApiKind, string> {
  const recent = generator.recentEvent(2);
  if (recent === null) throw new Error("the year has no event active in its last two days");
  return {
    events: `/api/v1/events?theme=${YEAR_THEME}`,
    source: `/api/v1/articles?source=${generator.busiestSource}`,
    event: `/api/v1/articles?event=${recent.id}`,
    search: `/api/v1/articles?theme=${YEAR_THEME}&q=${recent.word}`,
  };
}

/**
 * The API over one table, as `npm start` serves it, with its response cache off
 * (EVENTWIRE_RESPONSE_CACHE_SECONDS=0): every request reads the table, which is what a year
 * in it changes (a cached answer costs the same on any table).
 */
export function startYearApi(context: BenchContext, endpoint: string, tableName: string): Promise<LocalStack> {
  return startLocalStack({
    settings: benchSettings(endpoint, { EVENTWIRE_RESPONSE_CACHE_SECONDS: "0" }),
    host: "127.0.0.1",
    port: 0,
    dataDir: null,
    dynamoEndpoint: endpoint,
    tableName,
    adminKey: null,
    sources: [],
    scheduleIntervalMs: null,
    dispatchIntervalMs: null,
    maintenanceIntervalMs: null,
    followCommits: false,
    log: quietLog(context.say),
  });
}

/**
 * Each request's p99 (ms) under 50 connections: with `warm`, a short unmeasured run of each
 * first; then `seconds` of load in `slices` slices taken in turn across the kinds (a slow
 * stretch of the shared machine then weighs on every kind alike); the median slice's p99.
 */
export async function apiP99(
  baseUrl: string,
  paths: Record<ApiKind, string>,
  load: { seconds: number; slices: number; warm: boolean; minAnswers: number },
): Promise<Record<ApiKind, number>> {
  const { seconds, slices, warm, minAnswers } = load;
  if (warm)
    for (const kind of API_KINDS)
      await autocannon({ url: `${baseUrl}${paths[kind]}`, connections: CONNECTIONS, duration: 1, workers: 1, timeout: 120 });
  const samples = Object.fromEntries(API_KINDS.map((kind) => [kind, [] as number[]])) as Record<ApiKind, number[]>;
  const sliceSeconds = Math.max(1, Math.round(seconds / slices));
  for (let slice = 0; slice < slices; slice += 1) {
    for (const kind of API_KINDS) samples[kind].push(await p99Of(`${baseUrl}${paths[kind]}`, sliceSeconds, minAnswers));
  }
  const middle = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
  return Object.fromEntries(API_KINDS.map((kind) => [kind, middle(samples[kind])])) as Record<ApiKind, number>;
}

/**
 * The p99 (ms) of `url` under 50 connections for `seconds`; where fewer than `minAnswers`
 * answers came in that time (a slow route: a search reading hundreds of items a request), by
 * `minAnswers` requests instead, however long they take. Every answer must be a 200.
 */
async function p99Of(url: string, seconds: number, minAnswers: number): Promise<number> {
  const check = (result: autocannon.Result) => {
    if (result.non2xx > 0 || result.errors > 0)
      throw new Error(
        `load on ${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors, ${result.requests.total} requests`,
      );
    return result;
  };
  const timed = check(await autocannon({ url, connections: CONNECTIONS, duration: seconds, workers: 1, timeout: 120 }));
  if (timed.requests.total >= minAnswers) return timed.latency.p99;
  // autocannon sends at least one request a connection.
  const amount = Math.max(minAnswers, CONNECTIONS);
  return check(await autocannon({ url, connections: CONNECTIONS, amount, workers: 1, timeout: 120 })).latency.p99;
}

/** What following a search's pages to the end took; `lastFound`: the page that brought the last match. */
export type SearchWalk = { pages: number; found: number; lastFound: number; ms: number; capped: boolean };

/** Follows `path`'s `nextCursor` until it is null (or `cap` pages, or `cap` ms), counting pages and articles. */
export async function followPages(baseUrl: string, path: string, cap: { pages: number; ms: number }): Promise<SearchWalk> {
  const started = performance.now();
  let pages = 0;
  let found = 0;
  let lastFound = 0;
  let cursor: string | null = null;
  do {
    const url = `${baseUrl}${path}${cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`}`;
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url} answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
    const page = (await response.json()) as { items: unknown[]; nextCursor: string | null };
    pages += 1;
    found += page.items.length;
    if (page.items.length > 0) lastFound = pages;
    cursor = page.nextCursor;
  } while (cursor !== null && pages < cap.pages && performance.now() - started < cap.ms);
  return { pages, found, lastFound, ms: performance.now() - started, capped: cursor !== null };
}
