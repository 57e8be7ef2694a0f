import { addSource, ingestDueSources } from "@eventwire/pipeline";
import autocannon from "autocannon";
import { Hono } from "hono";
import { listen } from "../local/http-server";
import { startLocalStack } from "../local/stack";
import { type BenchContext, type BenchFigures, median } from "./context";
import { startFeedServer, syntheticFeed } from "./feed";
import { benchSettings, quietLog } from "./pipeline-deps";

const CONNECTIONS = 50;

type Load = { requestsPerSec: number; p50: number; p99: number };

/** `CONNECTIONS` connections on `url` for `seconds` (autocannon in a worker thread); every answer must be a 200. */
async function load(url: string, seconds: number): Promise<Load> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, workers: 1 });
  if (result.non2xx > 0 || result.errors > 0 || result.requests.total === 0) {
    throw new Error(
      `load on ${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors, ${result.requests.total} requests`,
    );
  }
  return { requestsPerSec: result.requests.total / result.duration, p50: result.latency.p50, p99: result.latency.p99 };
}

/** The same path, answered by a bare Hono route with the same bytes and headers, on the same server framework. */
async function bareTwin(url: string): Promise<{ url: string; close(): Promise<void> }> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  const body = new Uint8Array(await response.arrayBuffer());
  const headers: Record<string, string> = {};
  for (const name of ["content-type", "cache-control", "etag", "last-modified", "vary"]) {
    const value = response.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  const { pathname, search } = new URL(url);
  const app = new Hono().get(pathname, (c) => c.body(body, 200, headers));
  const server = await listen(app.fetch, "127.0.0.1", 0);
  return { url: `${server.url}${pathname}${search}`, close: () => server.close() };
}

/** Slices of load each side gets, alternately: a slow stretch of the shared machine then weighs on both alike. */
const SLICES = 4;

async function compare(context: BenchContext, label: string, url: string): Promise<{ product: Load; bare: Load }> {
  const bare = await bareTwin(url);
  try {
    // A short unmeasured run each, so neither is measured while the JIT warms up (on a busy
    // machine a slow route may finish no request in it: that is not judged here).
    await autocannon({ url, connections: CONNECTIONS, duration: 1, workers: 1 });
    await autocannon({ url: bare.url, connections: CONNECTIONS, duration: 1, workers: 1 });
    const slices = context.quick ? 1 : SLICES;
    const seconds = Math.max(1, Math.round(context.loadSeconds / slices));
    const runs = { product: [] as Load[], bare: [] as Load[] };
    for (let slice = 0; slice < slices; slice += 1) {
      runs.product.push(await load(url, seconds));
      runs.bare.push(await load(bare.url, seconds));
    }
    // Requests/s over all the slices; latency percentiles the median slice's.
    const combine = (list: Load[]): Load => ({
      requestsPerSec: list.reduce((sum, run) => sum + run.requestsPerSec, 0) / list.length,
      p50: median(list.map((run) => run.p50)),
      p99: median(list.map((run) => run.p99)),
    });
    const product = combine(runs.product);
    const reference = combine(runs.bare);
    context.say(
      `${label}: ${product.requestsPerSec.toFixed(0)} req/s, p50 ${product.p50} ms, p99 ${product.p99} ms (slice p99s ${runs.product.map((run) => run.p99).join(", ")}); bare Hono route, same bytes: ${reference.requestsPerSec.toFixed(0)} req/s, p99 ${reference.p99} ms (${runs.bare.map((run) => run.p99).join(", ")}); ratio ${(product.requestsPerSec / reference.requestsPerSec).toFixed(2)}; ${slices} slices of ${seconds} s each, in turn`,
    );
    return { product, bare: reference };
  } finally {
    await bare.close();
  }
}

/**
 * Feed serving and the JSON API: requests per second and latency of the real app (the local
 * stack's server, seeded by ingesting a feed) against a bare Hono route returning the same bytes.
 */
export async function benchServe(context: BenchContext): Promise<BenchFigures> {
  const endpoint = await context.dynamo();
  const log = quietLog(context.say);
  const stack = await startLocalStack({
    settings: benchSettings(endpoint),
    host: "127.0.0.1",
    port: 0,
    dataDir: null,
    dynamoEndpoint: endpoint,
    tableName: "bench-serve",
    adminKey: null,
    sources: [],
    scheduleIntervalMs: null,
    log,
  });
  const feeds = await startFeedServer((base) => ({
    "/wire.xml": syntheticFeed(context.quick ? 50 : 300, base, new Date(), 23),
  }));
  try {
    const added = await addSource(stack.deps, { url: feeds.url("/wire.xml") });
    if (!added.ok) throw new Error(added.error);
    await ingestDueSources(stack.deps, { all: true });
    const feed = await compare(context, "feed GET /feeds/isis-syria.rss", `${stack.apiUrl}/feeds/isis-syria.rss`);
    const api = await compare(context, "API GET /api/v1/events?limit=50", `${stack.apiUrl}/api/v1/events?limit=50`);
    return {
      feed_requests_per_sec: feed.product.requestsPerSec,
      feed_bare_requests_per_sec: feed.bare.requestsPerSec,
      feed_ratio: feed.product.requestsPerSec / feed.bare.requestsPerSec,
      feed_p50_ms: feed.product.p50,
      feed_p99_ms: feed.product.p99,
      feed_bare_p99_ms: feed.bare.p99,
      feed_p99_ratio: feed.product.p99 / feed.bare.p99,
      api_requests_per_sec: api.product.requestsPerSec,
      api_bare_requests_per_sec: api.bare.requestsPerSec,
      api_ratio: api.product.requestsPerSec / api.bare.requestsPerSec,
      api_p99_ms: api.product.p99,
      api_bare_p99_ms: api.bare.p99,
    };
  } finally {
    await feeds.close();
    await stack.stop();
  }
}
