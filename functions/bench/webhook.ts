import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { text } from "node:stream/consumers";
import { firstTheme } from "@eventwire/pipeline";
import { Webhook } from "standardwebhooks";
import { startLocalStack } from "../local/stack";
import { type BenchContext, type BenchFigures, percentile } from "./context";
import { startFeedServer, syntheticFeed } from "./feed";
import { benchSettings, quietLog } from "./pipeline-deps";

/** One verified request: which message, when it came, and the instant its change was committed. */
type Receipt = { id: string; receivedAtMs: number; committedAtMs: number };

type Receivers = {
  /** One endpoint per subscription: each on its own port, as separate subscribers are. */
  urls: string[];
  /** Registers the secret the endpoint at `index` verifies with. */
  setSecret(index: number, secret: string): void;
  receipts: Receipt[];
  /** Requests whose signature did not verify, with the library's reason. */
  rejected: string[];
  close(): Promise<void>;
};

/**
 * `count` webhook endpoints on 127.0.0.1, each verifying every request with `standardwebhooks`
 * and the secret of its subscription, and noting when it arrived (a 400 for a bad signature).
 */
async function startReceivers(count: number): Promise<Receivers> {
  const verifiers: (Webhook | null)[] = Array.from({ length: count }, () => null);
  const receipts: Receipt[] = [];
  const rejected: string[] = [];
  const servers: Server[] = [];
  const urls: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const server = createServer(async (request, response) => {
      const body = await text(request);
      const receivedAtMs = Date.now();
      const headers = {
        "webhook-id": String(request.headers["webhook-id"] ?? ""),
        "webhook-timestamp": String(request.headers["webhook-timestamp"] ?? ""),
        "webhook-signature": String(request.headers["webhook-signature"] ?? ""),
      };
      const verifier = verifiers[index];
      try {
        if (verifier === null || verifier === undefined) throw new Error(`endpoint ${index} has no secret yet`);
        const payload = verifier.verify(body, headers) as { timestamp: string };
        receipts.push({ id: headers["webhook-id"], receivedAtMs, committedAtMs: Date.parse(payload.timestamp) });
        response.writeHead(204).end();
      } catch (error) {
        rejected.push(`endpoint ${index}, message ${headers["webhook-id"]}: ${(error as Error).message}`);
        response.writeHead(400).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    servers.push(server);
    urls.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`);
  }
  return {
    urls,
    setSecret: (index, secret) => {
      verifiers[index] = new Webhook(secret);
    },
    receipts,
    rejected,
    close: async () => {
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.closeAllConnections();
              server.close(() => resolve());
            }),
        ),
      );
    },
  };
}

async function adminCall(apiUrl: string, adminKey: string, method: string, path: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return JSON.parse(text) as unknown;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type PhaseResult = {
  deliveries: number;
  /** Deliveries per second from the first receipt to the last. */
  receiptRate: number;
  /** Deliveries per second from the last change's commit to the last receipt: the whole dispatch after ingest. */
  afterIngestRate: number;
  latencies: number[];
};

/**
 * One run of the local stack: S subscriptions (made through the API, each to its own receiver)
 * hear of N articles that the stack's ingest schedule takes from a local feed; the stack's
 * dispatcher delivers. `followOutbox` off: the dispatcher runs only after the ingest run (as
 * on AWS, where the ingest run asks for it), so it finds the whole backlog.
 */
async function runPhase(
  context: BenchContext,
  options: {
    name: string;
    subscriptions: number;
    /** Feeds of `articlesPerFeed` articles each, added as sources `addEveryMs` apart (all at once when 0). */
    feeds: number;
    articlesPerFeed: number;
    addEveryMs: number;
    followOutbox: boolean;
    seed: number;
  },
): Promise<PhaseResult> {
  const articles = options.feeds * options.articlesPerFeed;
  const endpoint = await context.dynamo();
  const adminKey = randomBytes(24).toString("hex");
  const settings = benchSettings(endpoint);
  const receivers = await startReceivers(options.subscriptions);
  // Each feed's seed names its article links, so no two feeds share an article.
  const paths = Array.from({ length: options.feeds }, (_, index) => `/wire-${index}.xml`);
  const feeds = await startFeedServer((base) =>
    Object.fromEntries(
      paths.map((path, index) => [path, syntheticFeed(options.articlesPerFeed, base, new Date(), options.seed + index)]),
    ),
  );
  const stack = await startLocalStack({
    settings,
    host: "127.0.0.1",
    port: 0,
    dataDir: null,
    dynamoEndpoint: endpoint,
    tableName: `bench-webhook-${options.name}`,
    adminKey,
    sources: [],
    // The ingest schedule picks the source up within half a second of its being added; the
    // dispatcher's own schedule is the one `npm start` runs.
    scheduleIntervalMs: 500,
    dispatchIntervalMs: settings.EVENTWIRE_DISPATCH_SECONDS * 1000,
    followCommits: options.followOutbox,
    log: quietLog(context.say),
  });
  try {
    for (const [index, url] of receivers.urls.entries()) {
      const created = (await adminCall(stack.apiUrl, adminKey, "POST", "/api/v1/subscriptions", {
        url,
        types: ["event.created", "event.updated"],
        description: `bench receiver ${index}`,
      })) as { secret: string };
      receivers.setSecret(index, created.secret);
    }
    const theme = firstTheme(stack.deps).id;
    const startSeq = await stack.deps.store.changes.sequence(theme);
    const started = Date.now();
    // Sources are added on their schedule while the receipts are watched.
    const adding = (async () => {
      for (const [index, path] of paths.entries()) {
        const wait = started + index * options.addEveryMs - Date.now();
        if (wait > 0) await sleep(wait);
        await adminCall(stack.apiUrl, adminKey, "POST", "/api/v1/sources", { url: feeds.url(path) });
      }
    })();
    let addFailure: unknown = null;
    adding.catch((error: unknown) => {
      addFailure = error;
    });

    // Every article stored makes one change of the theme; each change one message per subscription.
    const deadline = started + (context.quick ? 60_000 : 300_000);
    let changes = 0;
    for (;;) {
      changes = (await stack.deps.store.changes.sequence(theme)) - startSeq;
      const unique = new Set(receivers.receipts.map((receipt) => receipt.id)).size;
      if (addFailure !== null) throw addFailure;
      if (changes >= articles && unique >= changes * options.subscriptions) break;
      if (Date.now() > deadline) break;
      await sleep(50);
    }
    // Anything sent twice would come now: the stack keeps dispatching for a while longer.
    await sleep(context.quick ? 300 : 2_000);

    const expected = changes * options.subscriptions;
    const ids = new Map<string, number>();
    for (const receipt of receivers.receipts) ids.set(receipt.id, (ids.get(receipt.id) ?? 0) + 1);
    const duplicates = receivers.receipts.length - ids.size;
    const missing = expected - ids.size;
    if (receivers.rejected.length > 0)
      throw new Error(`webhook: ${receivers.rejected.length} requests failed verification: ${receivers.rejected[0]}`);
    if (changes !== articles) throw new Error(`webhook: ${changes} changes committed for ${articles} articles in the feeds`);
    if (duplicates !== 0 || missing !== 0)
      throw new Error(`webhook: of ${expected} deliveries, ${missing} missing and ${duplicates} duplicates`);

    const arrivals = receivers.receipts.map((receipt) => receipt.receivedAtMs);
    const first = Math.min(...arrivals);
    const last = Math.max(...arrivals);
    const lastCommit = Math.max(...receivers.receipts.map((receipt) => receipt.committedAtMs));
    const latencies = receivers.receipts.map((receipt) => receipt.receivedAtMs - receipt.committedAtMs);
    const result: PhaseResult = {
      deliveries: expected,
      receiptRate: expected / Math.max(0.001, (last - first) / 1000),
      afterIngestRate: expected / Math.max(0.001, (last - lastCommit) / 1000),
      latencies,
    };
    context.say(
      `webhook (${options.name}): ${options.subscriptions} subscriptions × ${articles} articles${options.feeds > 1 ? ` (${options.feeds} feeds of ${options.articlesPerFeed}, one added every ${options.addEveryMs} ms)` : ""} = ${expected} deliveries, all verified, none missing or repeated; ${result.receiptRate.toFixed(0)}/s first to last receipt (${((last - first) / 1000).toFixed(1)} s), ${result.afterIngestRate.toFixed(0)}/s from the last commit to the last receipt; committed → received p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms; source added → last receipt ${((last - started) / 1000).toFixed(1)} s`,
    );
    return result;
  } finally {
    await stack.stop();
    await feeds.close();
    await receivers.close();
  }
}

/**
 * Webhook fan-out in the local stack, each delivery verified by a receiver with
 * `standardwebhooks` and any duplicate, missing or unverified delivery failing the run. Three
 * loads, each on a fresh table:
 * - backlog (throughput, `webhook_per_sec`): S subscriptions × N articles of one feed, with the
 *   dispatcher held until the ingest run ends, so it meets the whole backlog: deliveries/s from
 *   the last change's commit to the last receipt (fan-out included);
 * - paced (latency, `webhook_p50_ms`, `webhook_p99_ms`): the stack as `npm start` runs it, with
 *   articles arriving over time, as they do from many feeds: a feed of 10 added as a source every
 *   second, which offers S × 10 deliveries a second (half the 200/s target at S = 10); from the
 *   instant each article's change was committed (the change's time, which the payload's
 *   `timestamp` carries) to its receipt;
 * - burst (`webhook_burst_p50_ms`, `webhook_burst_p99_ms`): the backlog's load with the stack as
 *   `npm start` runs it, so every delivery of N articles is made within a second or two and the
 *   latency measured is mostly the time to drain that queue.
 */
export async function benchWebhook(context: BenchContext): Promise<BenchFigures> {
  const subscriptions = context.quick ? 3 : 10;
  const articles = context.quick ? 20 : 200;
  const single = { feeds: 1, articlesPerFeed: articles, addEveryMs: 0 };
  // Unmeasured: run alone (`--only webhook`), the first load would meet DynamoDB Local's cold
  // JVM (the quick smoke run skips it).
  if (!context.quick) {
    const warm = { subscriptions: 3, feeds: 1, articlesPerFeed: 20, addEveryMs: 0, followOutbox: true, seed: 5 };
    await runPhase(context, { name: "warm-up", ...warm });
  }
  const backlog = await runPhase(context, { name: "backlog", subscriptions, ...single, followOutbox: false, seed: 47 });
  const paced = await runPhase(context, {
    name: "paced",
    subscriptions,
    feeds: articles / 10,
    articlesPerFeed: 10,
    addEveryMs: 1_000,
    followOutbox: true,
    seed: 1_000,
  });
  const burst = await runPhase(context, { name: "burst", subscriptions, ...single, followOutbox: true, seed: 53 });
  return {
    webhook_per_sec: backlog.afterIngestRate,
    webhook_receipts_per_sec: backlog.receiptRate,
    webhook_p50_ms: percentile(paced.latencies, 50),
    webhook_p99_ms: percentile(paced.latencies, 99),
    webhook_burst_p50_ms: percentile(burst.latencies, 50),
    webhook_burst_p99_ms: percentile(burst.latencies, 99),
    webhook_live_per_sec: burst.receiptRate,
    webhook_deliveries: backlog.deliveries + paced.deliveries + burst.deliveries,
    webhook_subscriptions: subscriptions,
  };
}
