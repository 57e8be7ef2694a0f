import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ArticleSummary } from "@eventwire/core";
import { createDynamoClients, createStore, ensureTable, type Store } from "@eventwire/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DynamoLocal, startDynamoLocal } from "../../functions/local/dynamo-local";
import { findFreePort } from "../../functions/local/free-port";
import { fixture } from "../support/fixtures";
import { startTestServer, type TestHttpServer } from "../support/http-server";
import { createTestStore, type TestStore } from "../support/store";

// The CLI as a user runs it, stopped the hard way in the middle of a large feed: SIGKILL to the
// process, and separately the database going away and coming back. A re-run must leave every
// article stored exactly once, every event assignment consistent, and the source's state right.
const BIN = new URL("../../bin/eventwire.mjs", import.meta.url).pathname;
const QUIET = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };
const ITEMS = 200;

type StreamArticle = { title: string; text: string; published: string };

/** A feed of ITEMS on-theme reports: the test stream's stories, each retold many times. */
function largeFeed(): string {
  const stories = fixture("articles/stream.jsonl")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as StreamArticle);
  const start = Date.parse("2026-03-01T00:00:00Z");
  const items = Array.from({ length: ITEMS }, (_, n) => {
    const story = stories[n % stories.length] as StreamArticle;
    const date = new Date(start + n * 20 * 60_000).toUTCString();
    return `<item><title>${story.title} (report ${n})</title><link>https://crash-wire.example/report/${n}</link><guid>crash-${n}</guid><pubDate>${date}</pubDate><description>${story.text} Correspondent note ${n}.</description></item>`;
  });
  return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Crash Wire</title><link>https://crash-wire.example/</link>${items.join("")}</channel></rss>`;
}

let server: TestHttpServer;
let dataDir: string;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  const body = largeFeed();
  server = await startTestServer({
    "/large.rss": (_request, response) => {
      response.writeHead(200, { "content-type": "application/rss+xml", etag: '"large-v1"' }).end(body);
    },
  });
  dataDir = mkdtempSync(path.join(tmpdir(), "eventwire-crash-"));
});

let finished = false;

afterAll(async () => {
  finished = true;
  for (const cleanup of cleanups.reverse()) await cleanup();
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

type Run = { child: ChildProcess; done: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> };

function ingestOnce(env: Record<string, string>): Run {
  const child = spawn(process.execPath, [BIN, "ingest", "--once"], {
    env: {
      ...process.env,
      ...QUIET,
      DATA_DIR: dataDir,
      EVENTWIRE_SOURCES: `${server.url}/large.rss`,
      EVENTWIRE_ALLOW_PRIVATE_URLS: "true",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => {
    stdout += chunk;
  });
  // A failed source is reported on stderr (ingest --once), the summary on stdout.
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const done = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

async function allSummaries(store: Store): Promise<ArticleSummary[]> {
  const out: ArticleSummary[] = [];
  let after = null;
  do {
    const page = await store.articles.listNewest({ limit: 500, after });
    out.push(...page.items);
    after = page.nextKey;
  } while (after !== null);
  return out;
}

/** Waits until the store holds at least `count` articles (the run is well under way). */
async function untilStored(store: Store, count: number, run: Run): Promise<number> {
  let exited = false;
  void run.done.then(() => {
    exited = true;
  });
  for (;;) {
    if (exited) throw new Error("the ingest finished before it could be interrupted");
    const stored = (await store.articles.listNewest({ limit: count })).items.length;
    if (stored >= count) return stored;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Every item of the feed once, and every event assignment backed by its event. */
async function expectExactlyOnceAndConsistent(store: Store): Promise<void> {
  const articles = await allSummaries(store);
  expect(articles).toHaveLength(ITEMS);
  expect(new Set(articles.map((article) => article.url)).size).toBe(ITEMS);
  expect(new Set(articles.map((article) => article.id)).size).toBe(ITEMS);

  const byEvent = new Map<string, string[]>();
  for (const article of articles) {
    if (article.eventId === null) continue;
    byEvent.set(article.eventId, [...(byEvent.get(article.eventId) ?? []), article.id]);
  }
  expect(byEvent.size).toBeGreaterThan(0);
  const events = await store.events.getMany([...byEvent.keys()]);
  expect(events).toHaveLength(byEvent.size);
  for (const event of events) {
    const members = byEvent.get(event.id) ?? [];
    // The event counts exactly the articles that name it, and lists only those.
    expect(event.articleCount, event.id).toBe(members.length);
    for (const member of event.members) expect(members, event.id).toContain(member.articleId);
    // Its article index agrees.
    const listed = await store.articles.listByEvent(event.id, { limit: 1000 });
    expect(listed.items.map((article) => article.id).sort()).toEqual([...members].sort());
  }
}

async function expectSourceHealthy(store: Store): Promise<void> {
  const [source] = await store.sources.list();
  expect(source).toMatchObject({ url: `${server.url}/large.rss`, lastError: null, consecutiveFailures: 0, etag: '"large-v1"' });
  expect(source?.lastSuccessAt).not.toBeNull();
}

describe("crash safety", () => {
  it("after a SIGKILL in the middle of a large feed, a re-run stores every article exactly once", async () => {
    const db: TestStore = await createTestStore();
    cleanups.push(() => db.drop());
    const env = { DYNAMODB_ENDPOINT: db.endpoint, EVENTWIRE_TABLE: db.tableName };

    const first = ingestOnce(env);
    await untilStored(db.store, 40, first);
    first.child.kill("SIGKILL");
    expect((await first.done).signal).toBe("SIGKILL");
    const partial = (await allSummaries(db.store)).length;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(ITEMS);
    // Killed mid-way: the validators were not written, so nothing can answer 304 for the rest.
    expect((await db.store.sources.list())[0]?.etag).toBeNull();

    const second = await ingestOnce(env).done;
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`${ITEMS - partial} new, ${partial} already stored`);
    await expectExactlyOnceAndConsistent(db.store);
    await expectSourceHealthy(db.store);
  }, 120_000);

  it("after DynamoDB stops mid-run and comes back on the same data, a re-run completes the feed exactly once", async () => {
    const port = await findFreePort();
    const dynamoDir = path.join(dataDir, "dynamodb");
    let dynamo: DynamoLocal = await startDynamoLocal({ dataDir: dynamoDir, port });
    cleanups.push(() => dynamo.stop());
    const tableName = "crash";
    const clients = createDynamoClients({ endpoint: dynamo.endpoint, maxAttempts: 2 });
    cleanups.push(async () => clients.client.destroy());
    await ensureTable(clients.client, tableName);
    const store = createStore(clients, tableName);
    // Few retries, so the run gives up soon once the database is gone.
    const env = { DYNAMODB_ENDPOINT: dynamo.endpoint, EVENTWIRE_TABLE: tableName, EVENTWIRE_DYNAMO_MAX_ATTEMPTS: "2" };

    const first = ingestOnce(env);
    await untilStored(store, 40, first);
    await dynamo.stop();
    const interrupted = await first.done;
    // The run ended by itself, reporting the source as failed.
    expect(interrupted.code).toBe(2);
    expect(interrupted.stderr).toMatch(
      /^FAIL {2}\S+\/large\.rss {2}storing articles failed \(the database did not answer: ECONNREFUSED\); the next poll fetches the feed again$/m,
    );

    dynamo = await startDynamoLocal({ dataDir: dynamoDir, port });
    // Had the test timed out meanwhile, afterAll has run: leave no database behind.
    if (finished) await dynamo.stop();
    const partial = (await allSummaries(store)).length;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(ITEMS);

    const second = await ingestOnce(env).done;
    expect(second.code).toBe(0);
    await expectExactlyOnceAndConsistent(store);
    await expectSourceHealthy(store);
  }, 120_000);
});
