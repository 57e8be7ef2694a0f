import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { MAINTENANCE_LIMITS } from "@eventwire/core";
import type { SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalStack } from "../../functions/local/stack";
import type { ScheduleEvent } from "../../functions/schedule-event";
import { runCli } from "../support/cli-run";
import { createTestDeps, TEST_ADMIN_KEY } from "../support/deps";
import { type Story, storeStory } from "../support/events";
import { startTestServer, type TestHttpServer } from "../support/http-server";
import { logLinesOf } from "../support/log-lines";
import { articleIdsOf, twinStoriesBefore, unfinishedMerge } from "../support/maintenance";
import { createTestStore, linkedTableEnvironment, type TestStore } from "../support/store";

// How an operator's deployment runs passes: the Lambda handler as its schedule and its queue
// invoke it, the CLI command, and the local stack after a large ingest run. The production
// planner is used throughout, so what each pass is seen doing is finishing an earlier pass's
// moves (test/support/maintenance.ts: unfinishedMerge).
let db: TestStore;
let server: TestHttpServer;
type Handler = typeof import("../../functions/maintain")["handler"];
let handler: Handler;

beforeAll(async () => {
  db = await createTestStore();
  server = await startTestServer({});
  Object.assign(process.env, { ...linkedTableEnvironment(db), EVENTWIRE_LOG_FORMAT: "json" });
  ({ handler } = await import("../../functions/maintain"));
});

afterAll(async () => {
  await server.close();
  await db.drop();
});

/** A table holding two events, the first merged into the second and its articles not yet moved. */
async function unfinished(table: TestStore) {
  const now = new Date();
  const deps = createTestDeps(table.store, {}, now.toISOString());
  // Fetched now: a publication time after the fetch would be taken back to it.
  const [first, second] = twinStoriesBefore(now);
  const away = (await storeStory(table.store, first as Story, now)).event;
  const kept = (await storeStory(table.store, second as Story, now)).event;
  await unfinishedMerge(deps, kept.id, away.id);
  expect(await articleIdsOf(table.store, away.id)).toHaveLength(2);
  return { away, kept };
}

describe("the maintain function", () => {
  it("a scheduled event runs a pass that finishes what an earlier one left, logging the run the event names", async () => {
    const { away, kept } = await unfinished(db);
    const scheduled: ScheduleEvent = {
      schedule: "maintain",
      scheduledTime: "2026-05-04T11:00:00Z",
      executionId: "a1b2c3d4e5",
      attempt: "1",
    };
    const { result, lines } = await logLinesOf(() => handler(scheduled));
    // One pass a theme of the deployment (one theme here).
    expect(result).toMatchObject([{ themeId: "isis-syria", resumed: 1, moved: 2, decisions: [] }]);
    expect(lines.find((line) => line.message === "maintenance triggered")).toMatchObject({ trigger: "schedule", ...scheduled });
    expect(lines.find((line) => line.message === "maintenance pass finished")).toMatchObject({ moved: 2, resumed: 1 });
    expect(await articleIdsOf(db.store, away.id)).toEqual([]);
    expect(await articleIdsOf(db.store, kept.id)).toHaveLength(5);

    // The queue's message (the ingest worker asking) runs the same pass: nothing left to do.
    const queued = {
      Records: [{ messageId: "m-1", body: JSON.stringify({ maintain: true, stored: 50, themes: ["isis-syria"] }) }],
    } as SQSEvent;
    const again = await logLinesOf(() => handler(queued));
    expect(again.result).toMatchObject([{ themeId: "isis-syria", resumed: 0, moved: 0, decisions: [] }]);
    // A message naming no theme of the deployment runs none.
    const other = {
      Records: [{ messageId: "m-2", body: JSON.stringify({ maintain: true, themes: ["volcanoes"] }) }],
    } as SQSEvent;
    expect((await logLinesOf(() => handler(other))).result).toEqual([]);
    expect(again.lines.find((line) => line.message === "maintenance triggered")).toMatchObject({ trigger: "queue", messages: 1 });
  });
});

describe("eventwire maintain", () => {
  it("runs a pass now and prints what it did; an unknown theme is a usage error naming the themes", async () => {
    const table = await createTestStore();
    try {
      await unfinished(table);
      const env = { DYNAMODB_ENDPOINT: table.endpoint, EVENTWIRE_TABLE: table.tableName, EVENTWIRE_LOG_FORMAT: "json" };
      const done = await runCli(["maintain", "--theme", "isis-syria"], env);
      expect(done.code, done.stderr).toBe(0);
      expect(done.stdout).toContain("finished 1 list(s) of moves an earlier pass left unfinished");
      expect(done.stdout).toContain("theme isis-syria: 1 recent events examined");
      expect(done.stdout).toContain("0 decision(s) stored, 2 article(s) moved");
      const quiet = await runCli(["maintain"], env);
      expect(quiet.stdout.trim().split("\n").at(-1)).toBe("nothing to do");
      const unknown = await runCli(["maintain", "--theme", "volcanoes"], env);
      expect(unknown.code).toBe(64);
      expect(unknown.stderr).toContain('maintain --theme: no theme "volcanoes" (themes: isis-syria)');
    } finally {
      await table.drop();
    }
  });

  it("picks --theme among the deployment's themes (EVENTWIRE_THEMES), files included", async () => {
    const table = await createTestStore();
    const dir = mkdtempSync(path.join(os.tmpdir(), "eventwire-maintain-themes-"));
    try {
      const shipped = JSON.parse(
        readFileSync(new URL("../../packages/core/src/themes/isis-syria.json", import.meta.url), "utf8"),
      );
      writeFileSync(path.join(dir, "harbours.json"), JSON.stringify({ ...shipped, id: "harbours" }));
      const env = {
        DYNAMODB_ENDPOINT: table.endpoint,
        EVENTWIRE_TABLE: table.tableName,
        EVENTWIRE_THEMES: `isis-syria,${path.join(dir, "harbours.json")}`,
      };
      const done = await runCli(["maintain", "--theme", "harbours"], env);
      expect(done.code, done.stderr).toBe(0);
      expect(done.stdout).toContain("theme harbours: 0 recent events examined");
      const unknown = await runCli(["maintain", "--theme", "volcanoes"], env);
      expect(unknown.stderr).toContain('maintain --theme: no theme "volcanoes" (themes: isis-syria, harbours)');
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await table.drop();
    }
  });
});

describe("the local stack", () => {
  /** An RSS feed of `count` on-theme reports. */
  function feed(name: string, count: number): string {
    const items = Array.from({ length: count }, (_, n) => {
      const date = new Date(Date.now() - (count - n) * 60_000).toUTCString();
      return `<item><title>Islamic State attack in Deir ez-Zor, report ${n}</title><link>https://${name}.example/${n}</link><pubDate>${date}</pubDate><description>Islamic State fighters attacked positions near Deir ez-Zor in Syria, report ${n}.</description></item>`;
    });
    return `<?xml version="1.0"?><rss version="2.0"><channel><title>${name}</title><link>https://${name}.example/</link>${items.join("")}</channel></rss>`;
  }

  it(`runs a pass after an ingest run that stored ${MAINTENANCE_LIMITS.afterStored} articles or more, and not after a smaller one`, async () => {
    const table = await createTestStore();
    const body = { small: feed("small-wire", 5), large: feed("large-wire", MAINTENANCE_LIMITS.afterStored) };
    server.route("/small.rss", (_request, response) => response.writeHead(200).end(body.small));
    server.route("/large.rss", (_request, response) => response.writeHead(200).end(body.large));
    const settings = {
      ...(await import("../../functions/config")).parseEnv({
        EVENTWIRE_ALLOW_PRIVATE_URLS: "true",
        EVENTWIRE_LOG_LEVEL: "error",
      }),
    };
    const recorder = createTestDeps(table.store);
    const ingestRun = async (sources: string[]) => {
      const stack = await startLocalStack({
        settings,
        host: "127.0.0.1",
        port: 0,
        dataDir: null,
        dynamoEndpoint: table.endpoint,
        tableName: table.tableName,
        adminKey: TEST_ADMIN_KEY,
        sources,
        scheduleIntervalMs: null,
        maintenanceIntervalMs: null,
        log: recorder.log,
      });
      try {
        const run = await fetch(`${stack.apiUrl}/api/v1/ingest/run`, {
          method: "POST",
          headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` },
        });
        const summary = (await run.json()) as { stored: number };
        if (run.status !== 200) throw new Error(`ingest run: ${run.status} ${JSON.stringify(recorder.logs.at(-1))}`);
        return summary.stored;
      } finally {
        // Stopping waits for a pass under way.
        await stack.stop();
      }
    };
    try {
      const { away } = await unfinished(table);
      expect(await ingestRun([`${server.url}/small.rss`])).toBe(5);
      expect(await articleIdsOf(table.store, away.id)).toHaveLength(2);
      expect(await ingestRun([`${server.url}/large.rss`])).toBe(MAINTENANCE_LIMITS.afterStored);
      expect(await articleIdsOf(table.store, away.id)).toEqual([]);
      expect(await table.store.events.pendingMoves("isis-syria")).toEqual([]);
    } finally {
      await table.drop();
    }
  });
});
