import { spawn } from "node:child_process";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { lambdaSizing } from "../../infra/bundles";
import { type BenchContext, median } from "./context";
import { YEAR_THEME, type YearGenerator } from "./year-data";

/** The four requests measured on a year, each against the same on a small table. */
export const API_KINDS = ["events", "source", "event", "search"] as const;
export type ApiKind = (typeof API_KINDS)[number];
const CONNECTIONS = 50;
const here = path.dirname(fileURLToPath(import.meta.url));

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

/** An API serving one table, from a process of its own. */
export type YearApi = { apiUrl: string; stop(): Promise<void> };

/**
 * The API over one table, as `npm start` serves it, with its response cache off
 * (EVENTWIRE_RESPONSE_CACHE_SECONDS=0): every request reads the table, which is what a year in
 * it changes (a cached answer costs the same on any table). It runs in a `node` of its own with
 * the api function's heap bound, as a deployed API does, rather than in the bench's process,
 * whose heap holds the year's generator (gigabytes at full volume) and whose collections would
 * pause the API with it.
 */
export async function startYearApi(context: BenchContext, endpoint: string, tableName: string): Promise<YearApi> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(here, "year-api-child.ts"), endpoint, tableName], {
    env: {
      ...process.env,
      NODE_OPTIONS: lambdaSizing("api").nodeOptions,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  child.stderr.on("data", (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n")) if (line.trim() !== "") context.say(`year API: ${line}`);
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const apiUrl = await new Promise<string>((resolve, reject) => {
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split("\n").find((entry) => entry.startsWith("{"));
      if (line !== undefined) resolve((JSON.parse(line) as { apiUrl: string }).apiUrl);
    });
    void exited.then((code) => reject(new Error(`the year's API process exited (code ${code}) before it listened`)));
  });
  return {
    apiUrl,
    async stop() {
      child.stdin.end();
      await exited;
    },
  };
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
  if (warm) for (const kind of API_KINDS) await p99Of(`${baseUrl}${paths[kind]}`, 1, 0);
  const samples = Object.fromEntries(API_KINDS.map((kind) => [kind, [] as number[]])) as Record<ApiKind, number[]>;
  const sliceSeconds = Math.max(1, Math.round(seconds / slices));
  for (let slice = 0; slice < slices; slice += 1) {
    for (const kind of API_KINDS) samples[kind].push(await p99Of(`${baseUrl}${paths[kind]}`, sliceSeconds, minAnswers));
  }
  const middle = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
  return Object.fromEntries(API_KINDS.map((kind) => [kind, middle(samples[kind])])) as Record<ApiKind, number>;
}

/**
 * Each request's median time (ms) sent one at a time, `count` times after three unmeasured:
 * what one request costs, beside what 50 connections make of it.
 */
export async function serialMedians(
  baseUrl: string,
  paths: Record<ApiKind, string>,
  count = 25,
): Promise<Record<ApiKind, number>> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const medians = {} as Record<ApiKind, number>;
    for (const kind of API_KINDS) {
      const url = `${baseUrl}${paths[kind]}`;
      for (let warm = 0; warm < 3; warm += 1) await get(url, agent);
      const times: number[] = [];
      for (let sent = 0; sent < count; sent += 1) {
        const started = performance.now();
        await get(url, agent);
        times.push(performance.now() - started);
      }
      medians[kind] = median(times);
    }
    return medians;
  } finally {
    agent.destroy();
  }
}

/** One GET over `agent`, its body read to the end; anything but a 200 is an error naming the URL. */
function get(url: string, agent: http.Agent): Promise<void> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          if (response.statusCode !== 200) body += chunk;
        });
        response.on("end", () => {
          if (response.statusCode === 200) resolve();
          else reject(new Error(`load on ${url}: answered ${response.statusCode}: ${body.slice(0, 300)}`));
        });
        response.on("error", reject);
      })
      .on("error", reject);
  });
}

/**
 * The p99 (ms) of `url` from 50 keep-alive connections, each sending its next request when its
 * last is answered, for `seconds` and until at least `minAnswers` answers came (a slow route: a
 * search reading hundreds of items a request). The connections are opened and used once before
 * the clock starts: on this two-core machine the API is saturated by 50 connections, and a
 * connection opened under that load waited up to 2.5 s for the server to take its first
 * request (on a table of any size). Counted, those 50 first requests are 5–8% of a 5 s run's
 * answers, so they were its p99, a figure that swung eightfold from run to run.
 */
async function p99Of(url: string, seconds: number, minAnswers: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  try {
    await Promise.all(Array.from({ length: CONNECTIONS }, () => get(url, agent)));
    const latencies: number[] = [];
    const end = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (performance.now() < end || latencies.length < minAnswers) {
          const started = performance.now();
          await get(url, agent);
          latencies.push(performance.now() - started);
        }
      }),
    );
    latencies.sort((a, b) => a - b);
    return latencies[Math.min(latencies.length - 1, Math.ceil(0.99 * latencies.length) - 1)] as number;
  } finally {
    agent.destroy();
  }
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
