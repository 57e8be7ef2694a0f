import { createApp } from "@eventwire/api";
import { addSource } from "@eventwire/pipeline";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ingestInProcess } from "../../functions/deps";
import type { IngestRequest } from "../../functions/ingest-request";
import { createWorkerClient, invokeIngestWorker } from "../../functions/remote-ingest";
import { createTestDeps, TEST_ADMIN_KEY, type TestDeps } from "../support/deps";
import { fixture } from "../support/fixtures";
import { serveAlways, startTestServer, type TestHttpServer } from "../support/http-server";
import { type InvokeAnswer, type LambdaEndpoint, runAsLambda, startLambdaEndpoint } from "../support/lambda-endpoint";
import { createTestStore, type TestStore } from "../support/store";

// The API's ingestion on AWS: the SDK's Lambda client, pointed at a real server on 127.0.0.1
// that speaks the Invoke API. Behind it, by default, the pipeline runs as the worker runs it;
// a test can make the "service" answer as Lambda does when things go wrong.
const WORKER = "eventwire-test-IngestWorkerFunction";
const admin = { authorization: `Bearer ${TEST_ADMIN_KEY}` };
let db: TestStore;
let feeds: TestHttpServer;
let endpoint: LambdaEndpoint;
let local: TestDeps;
let answer: ((request: IngestRequest) => Promise<InvokeAnswer>) | null = null;

function appOver(timeoutMs = 20_000, functionName = WORKER) {
  const deps = createTestDeps(db.store);
  const client = createWorkerClient({
    region: "us-east-1",
    timeoutMs,
    endpoint: endpoint.url,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  return createApp({ ...deps, ingest: invokeIngestWorker({ client, functionName, timeoutMs, log: deps.log }) });
}

async function post(app: ReturnType<typeof createApp>, path: string) {
  const response = await app.request(path, { method: "POST", headers: admin });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  db = await createTestStore();
  feeds = await startTestServer({ "/wire.rss": serveAlways(fixture("feeds/rss2.xml"), "application/rss+xml") });
  // The worker's side: the same use cases, over the same table.
  local = createTestDeps(db.store);
  const worker = ingestInProcess(local);
  endpoint = await startLambdaEndpoint(async ({ functionName, payload }) => {
    if (functionName !== WORKER) {
      return { serviceError: "ResourceNotFoundException", status: 404, message: `Function not found: ${functionName}` };
    }
    const request = payload as IngestRequest;
    if (answer !== null) return answer(request);
    return runAsLambda(() => (request.eventwire === "ingest-run" ? worker.runDue() : worker.refreshSource(request.sourceId)));
  });
});

beforeEach(() => {
  answer = null;
});

afterAll(async () => {
  await endpoint.close();
  await feeds.close();
  await db.drop();
});

describe("ingestion through the worker function", () => {
  describe("happy", () => {
    it("runs the due sources and refreshes one, answering with the worker's results", async () => {
      const added = await addSource(local, { url: `${feeds.url}/wire.rss` });
      if (!added.ok) throw new Error(added.error);
      const app = appOver();

      const run = await post(app, "/api/v1/ingest/run");
      expect(run.status).toBe(200);
      expect(run.body).toMatchObject({ sourcesKnown: 1, sourcesDue: 1, succeeded: 1, stored: 3 });
      expect(endpoint.invocations.at(-1)).toEqual({
        functionName: WORKER,
        invocationType: "RequestResponse",
        payload: { eventwire: "ingest-run" },
      });

      const refreshed = await post(app, `/api/v1/sources/${added.source.id}/refresh`);
      expect(refreshed.status).toBe(200);
      expect(refreshed.body).toMatchObject({ ok: true, sourceId: added.source.id, status: "fetched", duplicates: 3 });
      expect(endpoint.invocations.at(-1)?.payload).toEqual({ eventwire: "ingest-refresh", sourceId: added.source.id });
    });

    it("answers 404 when the source went away before the worker looked", async () => {
      const added = await addSource(local, { url: `${feeds.url}/gone.rss` });
      if (!added.ok) throw new Error(added.error);
      answer = async () => ({ result: null });
      const refreshed = await post(appOver(), `/api/v1/sources/${added.source.id}/refresh`);
      expect(refreshed.status).toBe(404);
      expect(refreshed.body).toMatchObject({ error: { code: "not_found" } });
    });
  });

  describe("error", () => {
    it("a worker that throws is a 502 naming the worker and its error", async () => {
      answer = async () => ({
        functionError: "Unhandled",
        errorType: "ConfigError",
        errorMessage: "no table: link the Table resource",
      });
      const run = await post(appOver(), "/api/v1/ingest/run");
      expect(run.status).toBe(502);
      expect(run.body).toMatchObject({
        error: {
          code: "upstream_failed",
          message: `the ingest worker (${WORKER}) failed (ConfigError): no table: link the Table resource`,
        },
      });
    });

    it("a worker that timed out is a 504", async () => {
      answer = async () => ({
        functionError: "Unhandled",
        errorType: "Sandbox.Timedout",
        errorMessage: "RequestId: 1f2e Error: Task timed out after 300.00 seconds",
      });
      const run = await post(appOver(), "/api/v1/ingest/run");
      expect(run.status).toBe(504);
      expect(run.body).toMatchObject({ error: { code: "upstream_timeout", message: expect.stringContaining("timed out") } });
    });

    it("no answer within the client's wait is a 504 saying the run goes on", async () => {
      answer = async () => ({ silent: true });
      const invoked = endpoint.invocations.length;
      const run = await post(appOver(200), "/api/v1/ingest/run");
      expect(run.status).toBe(504);
      expect(run.body).toMatchObject({
        error: { code: "upstream_timeout", message: expect.stringContaining("did not answer within") },
      });
      // Tried once: a second attempt would be a second run.
      expect(endpoint.invocations).toHaveLength(invoked + 1);
    });

    it("a throttled invocation is a 503, and a missing function a 502 naming the service's error", async () => {
      answer = async () => ({ serviceError: "TooManyRequestsException", status: 429, message: "Rate Exceeded." });
      const throttled = await post(appOver(), "/api/v1/ingest/run");
      expect(throttled.status).toBe(503);
      expect(throttled.body).toMatchObject({ error: { code: "unavailable" } });

      const invoked = endpoint.invocations.length;
      const missing = await post(appOver(20_000, "eventwire-test-NoSuchFunction"), "/api/v1/ingest/run");
      expect(missing.status).toBe(502);
      expect(missing.body).toMatchObject({
        error: { code: "upstream_failed", message: expect.stringContaining("ResourceNotFoundException") },
      });
      // One attempt only.
      expect(endpoint.invocations).toHaveLength(invoked + 1);
    });

    it("an answer that is not a run summary is a 502, not passed on", async () => {
      answer = async () => ({ result: { batchItemFailures: [] } });
      const run = await post(appOver(), "/api/v1/ingest/run");
      expect(run.status).toBe(502);
      expect(run.body).toMatchObject({
        error: { code: "upstream_failed", message: expect.stringContaining("not a run summary") },
      });
    });
  });
});
