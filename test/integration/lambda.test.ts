import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { htmlToText } from "@eventwire/core";
import { addSource } from "@eventwire/pipeline";
import type { Context } from "aws-lambda";
import Parser from "rss-parser";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { ScheduleEvent } from "../../functions/schedule-event";
import { BUNDLE_TARGET } from "../../infra/bundles";
import { fixture } from "../support/fixtures";
import { serveAlways, startTestServer, type TestHttpServer } from "../support/http-server";
import { type LambdaEndpoint, runAsLambda, startLambdaEndpoint } from "../support/lambda-endpoint";
import { logLinesOf } from "../support/log-lines";
import { sqsRecord } from "../support/sqs-endpoint";
import { createTestStore, type TestStore } from "../support/store";

// The handlers are invoked the way Lambda invokes them: real-shaped events, SST links given as
// the SST_RESOURCE_* variables SST sets on a deployed function, DynamoDB Local as the table. The
// API reaches the ingest worker through the SDK's Lambda client and a local endpoint that speaks
// the Invoke API and runs the worker's handler here, as the Lambda service would run it.
const ADMIN_KEY = "lambda-test-admin-key-0123";
const WORKER_NAME = "eventwire-test-IngestWorkerFunction";
let db: TestStore;
let server: TestHttpServer;
let lambda: LambdaEndpoint;
type ApiHandler = typeof import("../../functions/api")["handler"];
let apiHandler: ApiHandler;
type WorkerHandler = typeof import("../../functions/ingest-worker")["handler"];
let workerHandler: WorkerHandler;
type IngestHandler = (event: ScheduleEvent) => Promise<{ stored: number; sourcesDue: number }>;
let ingestHandler: IngestHandler;

const context = {
  awsRequestId: "c6af9ac6-7b61-11e6-9a41-93e812345678",
  functionName: "eventwire-test-Api",
  functionVersion: "$LATEST",
  invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:eventwire-test-Api",
  memoryLimitInMB: "512",
  logGroupName: "/aws/lambda/eventwire-test-Api",
  logStreamName: "2026/05/04/[$LATEST]abcdef",
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 29_000,
} as unknown as Context;

/** A Lambda function URL event (payload format 2.0) for a public URL (auth type NONE). */
function httpEvent(method: string, path: string, query = "", headers: Record<string, string> = {}): Parameters<ApiHandler>[0] {
  // Hono's event type wants `authorizer`, which a function URL without auth does not send.
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: path,
    rawQueryString: query,
    headers: { host: "abc123.lambda-url.us-east-1.on.aws", "x-forwarded-proto": "https", "user-agent": "curl/8.5.0", ...headers },
    requestContext: {
      accountId: "anonymous",
      apiId: "abc123",
      domainName: "abc123.lambda-url.us-east-1.on.aws",
      domainPrefix: "abc123",
      http: { method, path, protocol: "HTTP/1.1", sourceIp: "203.0.113.7", userAgent: "curl/8.5.0" },
      requestId: "9f1e7c4e-0000-4000-8000-000000000001",
      routeKey: "$default",
      stage: "$default",
      time: "04/May/2026:10:00:00 +0000",
      timeEpoch: 1777888800000,
    },
    body: null,
    isBase64Encoded: false,
  } as unknown as Parameters<ApiHandler>[0];
}

/** What the Ingest schedule (CronV2, infra/cron.ts) invokes its function with, as EventBridge Scheduler fills it in. */
const scheduledEvent: ScheduleEvent = {
  schedule: "ingest",
  scheduledTime: "2026-05-04T10:00:00Z",
  executionId: "d32c5kddcf5bb8c3",
  attempt: "1",
};

beforeAll(async () => {
  db = await createTestStore();
  server = await startTestServer({
    "/wire.rss": serveAlways(fixture("feeds/rss2.xml"), "application/rss+xml"),
    "/monitor.atom": serveAlways(fixture("feeds/atom.xml"), "application/atom+xml"),
  });
  lambda = await startLambdaEndpoint(async ({ functionName, payload }) =>
    functionName === WORKER_NAME
      ? runAsLambda(() => workerHandler(payload as Parameters<WorkerHandler>[0]))
      : { serviceError: "ResourceNotFoundException", status: 404, message: `Function not found: ${functionName}` },
  );
  Object.assign(process.env, {
    SST_RESOURCE_App: JSON.stringify({ name: "eventwire", stage: "test" }),
    SST_RESOURCE_Table: JSON.stringify({ name: db.tableName, type: "sst.aws.Dynamo" }),
    SST_RESOURCE_AdminKey: JSON.stringify({ value: ADMIN_KEY, type: "sst.sst.Secret" }),
    SST_RESOURCE_IngestWorker: JSON.stringify({ name: WORKER_NAME, type: "sst.aws.Function" }),
    // The SDK's own setting for a service's endpoint; the keys are the local endpoint's, not AWS's.
    AWS_ENDPOINT_URL_LAMBDA: lambda.url,
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    DYNAMODB_ENDPOINT: db.endpoint,
    AWS_REGION: "us-east-1",
    AWS_LAMBDA_FUNCTION_NAME: "eventwire-test-Api",
    EVENTWIRE_SOURCES: `${server.url}/wire.rss ${server.url}/monitor.atom`,
    // The feeds are on 127.0.0.1, which the URL guard refuses unless told otherwise.
    EVENTWIRE_ALLOW_PRIVATE_URLS: "true",
    EVENTWIRE_LOG_FORMAT: "json",
  });
  ({ handler: apiHandler } = await import("../../functions/api"));
  // Without a linked queue the scheduled function ingests the due sources itself.
  ingestHandler = (await import("../../functions/ingest")).handler as IngestHandler;
  ({ handler: workerHandler } = await import("../../functions/ingest-worker"));
});

afterAll(async () => {
  await lambda.close();
  await server.close();
  await db.drop();
});

describe("Lambda handlers", () => {
  it("run on the Node major the functions are deployed on when CI asks for it (EVENTWIRE_TEST_ON_LAMBDA_NODE=1)", () => {
    // .ci/run runs this file and the bundle tests again on Node 22 (nodejs22.x), with the variable
    // set; elsewhere they run on whatever node runs the suite, at least the engines' 20.19.
    const major = Number(process.versions.node.split(".")[0]);
    if (process.env.EVENTWIRE_TEST_ON_LAMBDA_NODE === "1") expect(`node${major}`).toBe(BUNDLE_TARGET);
    else expect(major).toBeGreaterThanOrEqual(20);
  });

  it("ingest: a scheduled event adds the configured sources and ingests them, logging the run the event names", async () => {
    const { result: summary, lines } = await logLinesOf(() => ingestHandler(scheduledEvent));
    expect(summary).toMatchObject({ sourcesDue: 2, stored: 5 });
    expect(lines.find((line) => line.message === "ingest triggered")).toMatchObject(scheduledEvent);
    // A second tick finds nothing due: the sources polled a moment ago.
    expect(await ingestHandler({ ...scheduledEvent, executionId: "second" })).toMatchObject({ sourcesDue: 0, stored: 0 });
  });

  it("api: GET /health through a function URL event", async () => {
    const response = await apiHandler(httpEvent("GET", "/health"), context);
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ status: "ok", checks: { table: "ok" } });
  });

  it("api: GET /feeds/isis-syria.rss answers RSS with absolute links on the function's host", async () => {
    const response = await apiHandler(httpEvent("GET", "/feeds/isis-syria.rss"), context);
    expect(response.statusCode).toBe(200);
    expect(response.isBase64Encoded).toBe(false);
    expect(response.headers?.["content-type"]).toBe("application/rss+xml; charset=utf-8");
    const feed = await new Parser().parseString(response.body);
    // The feed serves exactly the articles the matcher judged on-theme.
    const listed = JSON.parse((await apiHandler(httpEvent("GET", "/api/v1/articles", "limit=100"), context)).body) as {
      items: { title: string; onTheme: boolean }[];
    };
    const onTheme = listed.items.filter((article) => article.onTheme).map((article) => article.title);
    expect(onTheme.length).toBeGreaterThan(0);
    // RSS titles are HTML-escaped; a reader shows them decoded.
    expect(feed.items.map((item) => htmlToText(item.title ?? ""))).toEqual(onTheme);
    expect(response.body).toContain("https://abc123.lambda-url.us-east-1.on.aws/feeds/isis-syria.rss");

    const etag = String(response.headers?.etag);
    const again = await apiHandler(httpEvent("GET", "/feeds/isis-syria.rss", "", { "if-none-match": etag }), context);
    expect(again.statusCode).toBe(304);
  });

  it("api: query strings and the admin key pass through", async () => {
    const bad = await apiHandler(httpEvent("GET", "/api/v1/articles", "limit=1000"), context);
    expect(bad.statusCode).toBe(400);
    const page = await apiHandler(httpEvent("GET", "/api/v1/articles", "limit=2"), context);
    expect(JSON.parse(page.body).items).toHaveLength(2);

    const denied = await apiHandler(httpEvent("POST", "/api/v1/ingest/run"), context);
    expect(denied.statusCode).toBe(401);
    const allowed = await apiHandler(
      httpEvent("POST", "/api/v1/ingest/run", "", { authorization: `Bearer ${ADMIN_KEY}` }),
      context,
    );
    expect(allowed.statusCode).toBe(200);
    expect(JSON.parse(allowed.body)).toMatchObject({ sourcesKnown: 2 });
    // The run was the worker's: one synchronous invocation with the run request.
    expect(lambda.invocations.at(-1)).toEqual({
      functionName: WORKER_NAME,
      invocationType: "RequestResponse",
      payload: { eventwire: "ingest-run" },
    });
  });

  it("worker: ingests the source each queue message names, once, and drops what it cannot use", async () => {
    server.route("/worker.atom", serveAlways(fixture("feeds/atom.xml").replaceAll("monitor", "worker"), "application/atom+xml"));
    const added = await addSource({ store: db.store, now: () => new Date() }, { url: `${server.url}/worker.atom` });
    if (!added.ok) throw new Error(added.error);
    const sourceId = added.source.id;
    const job = JSON.stringify({ sourceId, scheduledAt: new Date().toISOString() });
    const response = await workerHandler({
      Records: [
        sqsRecord("m1", job),
        // Delivered twice: the source is no longer due, so it is not fetched again.
        sqsRecord("m2", job),
        sqsRecord("m3", "not a job"),
        sqsRecord("m4", JSON.stringify({ sourceId: "ffffffffffffffffffffffffffffffff", scheduledAt: "2026-05-04T10:00:00Z" })),
      ],
    });
    expect(response).toEqual({ batchItemFailures: [] });
    expect(server.seen.filter((request) => request.path === "/worker.atom")).toHaveLength(1);
    const stored = await db.store.articles.listBySource(sourceId, { limit: 10 });
    expect(stored.items).toHaveLength(2);
    expect(await db.store.sources.get(sourceId)).toMatchObject({ lastError: null, consecutiveFailures: 0 });
  });

  it("worker: a direct ingest-run invocation ingests the due sources and answers with the run's summary", async () => {
    server.route(
      "/direct.rss",
      serveAlways(
        fixture("feeds/rss2.xml")
          .replaceAll("fixture-wire", "fixture-direct")
          .replace("<link>/news/aid-convoy<", "<link>/news/aid-convoy-direct<"),
        "application/rss+xml",
      ),
    );
    const added = await addSource({ store: db.store, now: () => new Date() }, { url: `${server.url}/direct.rss` });
    if (!added.ok) throw new Error(added.error);
    const summary = await workerHandler({ eventwire: "ingest-run" });
    // Only the new source is due; the others were polled moments ago.
    expect(summary).toMatchObject({ sourcesDue: 1, succeeded: 1, failed: 0, stored: 3 });
    expect(summary.results).toEqual([
      expect.objectContaining({ ok: true, sourceId: added.source.id, status: "fetched", stored: 3 }),
    ]);
    expect((await db.store.articles.listBySource(added.source.id, { limit: 10 })).items).toHaveLength(3);
    expect(await workerHandler({ eventwire: "ingest-run" })).toMatchObject({ sourcesDue: 0, stored: 0, results: [] });
  });

  it("worker: a direct ingest-refresh invocation fetches that source though it is not due; an unknown id answers null", async () => {
    const sources = await db.store.sources.list();
    const wire = sources.find((source) => source.url.endsWith("/wire.rss"));
    if (wire === undefined) throw new Error("the wire source is missing");
    const fetchesBefore = server.seen.filter((request) => request.path === "/wire.rss").length;
    const result = await workerHandler({ eventwire: "ingest-refresh", sourceId: wire.id });
    expect(result).toMatchObject({ ok: true, sourceId: wire.id, status: "fetched", stored: 0, duplicates: 3 });
    expect(server.seen.filter((request) => request.path === "/wire.rss")).toHaveLength(fetchesBefore + 1);
    expect(await workerHandler({ eventwire: "ingest-refresh", sourceId: "ffffffffffffffffffffffffffffffff" })).toBeNull();
  });

  it.each([
    ["an unknown request", { eventwire: "ingest-everything" }],
    ["a refresh without a source", { eventwire: "ingest-refresh" }],
    ["a refresh of a malformed id", { eventwire: "ingest-refresh", sourceId: "../sources" }],
    ["a run with extra fields", { eventwire: "ingest-run", all: true }],
    ["an empty object", {}],
    ["a scheduled event", scheduledEvent],
    ["an SNS notification", { Records: [{ EventSource: "aws:sns", Sns: { Message: "{}" } }] }],
    ["an SQS-looking record without a body", { Records: [{ eventSource: "aws:sqs" }] }],
    ["null", null],
  ])("worker: refuses %s, naming the events it takes", async (_name, event) => {
    await expect(workerHandler(event as never)).rejects.toThrow(
      /the ingest worker takes an SQS batch, \{"eventwire":"ingest-run"\}/,
    );
  });

  it("api: POST /api/v1/sources/{id}/refresh runs in the worker and answers with its result", async () => {
    const sources = await db.store.sources.list();
    const monitor = sources.find((source) => source.url.endsWith("/monitor.atom"));
    if (monitor === undefined) throw new Error("the monitor source is missing");
    const admin = { authorization: `Bearer ${ADMIN_KEY}` };
    const response = await apiHandler(httpEvent("POST", `/api/v1/sources/${monitor.id}/refresh`, "", admin), context);
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ ok: true, sourceId: monitor.id, status: "fetched" });
    expect(lambda.invocations.at(-1)?.payload).toEqual({ eventwire: "ingest-refresh", sourceId: monitor.id });

    // An unknown id is a 404 from the table, without invoking the worker.
    const invoked = lambda.invocations.length;
    const missing = await apiHandler(httpEvent("POST", "/api/v1/sources/0123/refresh", "", admin), context);
    expect(missing.statusCode).toBe(404);
    expect(lambda.invocations).toHaveLength(invoked);
  });

  it("ingest: a cold start seeds the sources file shipped beside its bundle (EVENTWIRE_SOURCES_FILE, from the task root)", async () => {
    server.route(
      "/shipped.rss",
      serveAlways(
        fixture("feeds/rss2.xml")
          .replaceAll("fixture-wire", "fixture-shipped")
          .replace("<link>/news/aid-convoy<", "<link>/news/aid-convoy-shipped<"),
        "application/rss+xml",
      ),
    );
    await withShippedSourcesFile(`# shipped with the deploy\n${server.url}/shipped.rss\n`, async () => {
      // A new container: the handler module and its deps made afresh.
      const fresh = (await import("../../functions/ingest")).handler as IngestHandler;
      expect(await fresh({ ...scheduledEvent, executionId: "cold" })).toMatchObject({ sourcesDue: 1, stored: 3 });
      const urls = (await db.store.sources.list()).map((source) => source.url);
      expect(urls).toContain(`${server.url}/shipped.rss`);
    });
  });

  it("ingest: a sources file with a bad line is logged with the line, and the stored sources are polled all the same", async () => {
    await withShippedSourcesFile(`${server.url}/shipped.rss\nnot a url\n`, async () => {
      const fresh = (await import("../../functions/ingest")).handler as IngestHandler;
      const { result, lines } = await logLinesOf(() => fresh({ ...scheduledEvent, executionId: "bad-file" }));
      expect(result).toMatchObject({ failed: 0 });
      expect(lines).toContainEqual(
        expect.objectContaining({
          message: "configured sources not seeded",
          error: expect.stringMatching(/line 2: "not a url" is more than one URL/),
        }),
      );
      expect(lines).toContainEqual(expect.objectContaining({ message: "ingest triggered" }));
    });
  });
});

/**
 * Runs `run` as a fresh Lambda container (modules loaded anew) whose deploy ships a sources file
 * of `content` (EVENTWIRE_SOURCES_FILE under LAMBDA_TASK_ROOT, EVENTWIRE_SOURCES unset), then puts
 * the environment back as it was.
 */
async function withShippedSourcesFile(content: string, run: () => Promise<void>): Promise<void> {
  const taskRoot = mkdtempSync(path.join(os.tmpdir(), "eventwire-task-"));
  writeFileSync(path.join(taskRoot, "sources.txt"), content);
  const names = ["EVENTWIRE_SOURCES", "EVENTWIRE_SOURCES_FILE", "LAMBDA_TASK_ROOT"] as const;
  const saved = names.map((name) => [name, process.env[name]] as const);
  try {
    delete process.env.EVENTWIRE_SOURCES;
    Object.assign(process.env, { EVENTWIRE_SOURCES_FILE: "sources.txt", LAMBDA_TASK_ROOT: taskRoot });
    vi.resetModules();
    await run();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(taskRoot, { recursive: true, force: true });
  }
}
