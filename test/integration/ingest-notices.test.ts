import { DEFAULT_THEME_ID, MAINTENANCE_LIMITS } from "@eventwire/core";
import { addSource } from "@eventwire/pipeline";
import type { SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScheduleEvent } from "../../functions/schedule-event";
import { fixture } from "../support/fixtures";
import { serveAlways, startTestServer, type TestHttpServer } from "../support/http-server";
import { logLinesOf } from "../support/log-lines";
import { type SqsEndpoint, sqsRecord, startSqsEndpoint } from "../support/sqs-endpoint";
import { createTestStore, type TestStore } from "../support/store";

// What the ingest handlers tell after storing articles (functions/after-storing.ts): the
// dispatcher's queue, and once every MAINTENANCE_LIMITS.afterStored articles the maintenance
// queue. The handlers run with their SST links as the SST_RESOURCE_* variables, DynamoDB Local
// as the table, and a local endpoint speaking SQS's SendMessage as the queues.
let db: TestStore;
let server: TestHttpServer;
let sqs: SqsEndpoint;
type IngestHandler = (event: ScheduleEvent) => Promise<{ stored: number }>;
let ingestHandler: IngestHandler;
type WorkerHandler = (event: SQSEvent) => Promise<{ batchItemFailures: unknown[] }>;
let workerHandler: WorkerHandler;

const scheduledEvent: ScheduleEvent = {
  schedule: "ingest",
  scheduledTime: "2026-05-04T10:00:00Z",
  executionId: "notices",
  attempt: "1",
};
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

const sentTo = (queue: string) => sqs.sent.filter((message) => message.queueUrl === sqs.queueUrl(queue)).map((m) => m.body);

/** A queue batch of one job per source id, as the ingest queue hands it to the worker. */
function batchOf(...sourceIds: string[]): SQSEvent {
  const scheduledAt = new Date().toISOString();
  return { Records: sourceIds.map((sourceId, index) => sqsRecord(`m${index}`, JSON.stringify({ sourceId, scheduledAt }))) };
}

/** A new source serving the Atom fixture under its own ids (two articles), not yet polled. */
async function atomSource(name: string): Promise<string> {
  server.route(`/${name}.atom`, serveAlways(fixture("feeds/atom.xml").replaceAll("monitor", name), "application/atom+xml"));
  const added = await addSource({ store: db.store, now: () => new Date() }, { url: `${server.url}/${name}.atom` });
  if (!added.ok) throw new Error(added.error);
  return added.source.id;
}

beforeAll(async () => {
  db = await createTestStore();
  sqs = await startSqsEndpoint();
  server = await startTestServer({
    "/wire.rss": serveAlways(fixture("feeds/rss2.xml"), "application/rss+xml"),
    "/monitor.atom": serveAlways(fixture("feeds/atom.xml"), "application/atom+xml"),
  });
  Object.assign(process.env, {
    SST_RESOURCE_App: JSON.stringify({ name: "eventwire", stage: "test" }),
    SST_RESOURCE_Table: JSON.stringify({ name: db.tableName, type: "sst.aws.Dynamo" }),
    SST_RESOURCE_DispatchQueue: JSON.stringify({ url: sqs.queueUrl("DispatchQueue"), type: "sst.aws.Queue" }),
    SST_RESOURCE_MaintainQueue: JSON.stringify({ url: sqs.queueUrl("MaintainQueue"), type: "sst.aws.Queue" }),
    // The SDK's own setting for a service's endpoint; the keys are the local endpoint's, not AWS's.
    AWS_ENDPOINT_URL_SQS: sqs.url,
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    AWS_REGION: "us-east-1",
    DYNAMODB_ENDPOINT: db.endpoint,
    EVENTWIRE_SOURCES: `${server.url}/wire.rss ${server.url}/monitor.atom`,
    // The feeds are on 127.0.0.1, which the URL guard refuses unless told otherwise.
    EVENTWIRE_ALLOW_PRIVATE_URLS: "true",
    EVENTWIRE_LOG_FORMAT: "json",
  });
  // Without a linked ingest queue the scheduled function ingests the due sources itself.
  ingestHandler = (await import("../../functions/ingest")).handler as IngestHandler;
  workerHandler = (await import("../../functions/ingest-worker")).handler as WorkerHandler;
});

afterAll(async () => {
  await server.close();
  await sqs.close();
  await db.drop();
});

describe("after storing", () => {
  it("happy: a scheduled ingest that stored articles asks the dispatcher to run, once; a tick that stored none asks nothing", async () => {
    expect(await ingestHandler(scheduledEvent)).toMatchObject({ stored: 5 });
    expect(sentTo("DispatchQueue")).toEqual([{ dispatch: true, stored: 5, at: expect.stringMatching(ISO_TIME) }]);
    // Five articles are far from a maintenance pass.
    expect(sentTo("MaintainQueue")).toEqual([]);

    expect(await ingestHandler({ ...scheduledEvent, executionId: "second" })).toMatchObject({ stored: 0 });
    expect(sqs.sent).toHaveLength(1);
  });

  it("happy: the worker's batch asks the dispatcher, and the batch that brings the tally past the limit asks for a pass", async () => {
    // The theme's tally stands at 5 (the scheduled run above): one short of the limit.
    await db.store.events.countStored(DEFAULT_THEME_ID, MAINTENANCE_LIMITS.afterStored - 6, MAINTENANCE_LIMITS.afterStored);
    const sourceId = await atomSource("worker");
    expect(await workerHandler(batchOf(sourceId))).toEqual({ batchItemFailures: [] });
    const dispatch = sentTo("DispatchQueue");
    expect(dispatch).toHaveLength(2);
    expect(dispatch[1]).toEqual({ dispatch: true, stored: 2, at: expect.stringMatching(ISO_TIME) });
    const at = (dispatch[1] as { at: string }).at;
    // It names the theme whose pass is due.
    expect(sentTo("MaintainQueue")).toEqual([{ maintain: true, stored: 2, at, themes: [DEFAULT_THEME_ID] }]);

    // The next batch is counted towards the next pass, which it does not reach.
    expect(await workerHandler(batchOf(await atomSource("second-worker")))).toEqual({ batchItemFailures: [] });
    expect(sentTo("DispatchQueue")).toHaveLength(3);
    expect(sentTo("MaintainQueue")).toHaveLength(1);
  });

  it("error: a queue that refuses the notice is logged, and the run's result stands", async () => {
    const sourceId = await atomSource("refused");
    const before = sqs.sent.length;
    sqs.refusing = true;
    try {
      const { result, lines } = await logLinesOf(() => workerHandler(batchOf(sourceId)));
      expect(result).toEqual({ batchItemFailures: [] });
      expect(lines).toContainEqual(
        expect.objectContaining({
          level: "warn",
          message: "could not ask the dispatcher to run; its schedule will",
          error: expect.stringMatching(/does not exist/),
        }),
      );
    } finally {
      sqs.refusing = false;
    }
    expect(sqs.sent).toHaveLength(before);
    expect((await db.store.articles.listBySource(sourceId, { limit: 10 })).items).toHaveLength(2);
  });
});
