import type { WebhookMessage } from "@eventwire/core";
import { fanOutChanges } from "@eventwire/pipeline";
import type { SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { ScheduleEvent } from "../../functions/schedule-event";
import { createTestDeps, TEST_ADMIN_KEY, type TestDeps } from "../support/deps";
import { type Story, storeStories } from "../support/events";
import { createTestStore, linkedTableEnvironment, type TestStore } from "../support/store";
import { startWebhookReceiver, type WebhookReceiver } from "../support/webhook-receiver";

// Deployed, one dispatcher function runs from its queue (a message after each ingest that stored
// articles) and from its schedule every minute (infra/dispatch.ts), and its concurrency is not
// capped, so two runs can overlap over the same due messages. Here two containers of the
// dispatcher (functions/dispatch.ts loaded twice, each building its own deps as a cold start
// does) are invoked at the same moment, one with a queue batch and one with the schedule's
// event, over messages already due and changes not yet made into messages: the overlap must
// cost time and nothing else.

type DispatchHandler = typeof import("../../functions/dispatch")["handler"];

let db: TestStore;
let deps: TestDeps;
let ok: WebhookReceiver;
let failing: WebhookReceiver;
const savedEnv = { ...process.env };

/** A cold start of the dispatcher: the module and its deps made afresh, as in a new container. */
async function dispatcherContainer(): Promise<DispatchHandler> {
  vi.resetModules();
  return (await import("../../functions/dispatch")).handler;
}

function queueBatch(): SQSEvent {
  const record = (messageId: string) => ({
    messageId,
    receiptHandle: `handle-${messageId}`,
    body: JSON.stringify({ stored: 10, at: new Date().toISOString() }),
    attributes: {
      ApproximateReceiveCount: "1",
      SentTimestamp: String(Date.now()),
      SenderId: "AROAEXAMPLE",
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:us-east-1:123456789012:eventwire-test-DispatchQueue",
    awsRegion: "us-east-1",
  });
  return { Records: [record("n1"), record("n2")] };
}

function scheduleEvent(executionId: string): ScheduleEvent {
  return { schedule: "dispatch", scheduledTime: new Date().toISOString(), executionId, attempt: "1" };
}

async function subscribe(receiver: WebhookReceiver, types: string[]): Promise<string> {
  const { createApp } = await import("@eventwire/api");
  const response = await createApp(deps).request("/api/v1/subscriptions", {
    method: "POST",
    headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ url: receiver.url, types }),
  });
  const created = (await response.json()) as { id: string; secret: string };
  expect(response.status, JSON.stringify(created)).toBe(201);
  receiver.secrets.push(created.secret);
  return created.id;
}

/** The endpoint saw each message exactly as many times as the message's attempts on record. */
function expectOneRequestPerAttempt(receiver: WebhookReceiver, messages: readonly WebhookMessage[]) {
  const requests = new Map<string, number>();
  for (const message of receiver.received) requests.set(message.id, (requests.get(message.id) ?? 0) + 1);
  expect(Object.fromEntries(requests)).toEqual(Object.fromEntries(messages.map((message) => [message.id, message.attempts])));
  expect(messages.every((message) => message.attempts >= 1)).toBe(true);
}

/** One-article stories, a change each: `event.created` and `article.added` for each. */
function stories(from: number, count: number): Story[] {
  return Array.from({ length: count }, (_, n) => ({
    title: `Overlap story ${from + n}`,
    articles: [{ source: "outlet-a", published: "2026-05-04T08:00:00Z", title: `Overlap report ${from + n}` }],
  }));
}

beforeAll(async () => {
  db = await createTestStore();
  deps = createTestDeps(db.store);
  // The receivers are on 127.0.0.1.
  deps.config.webhooks = { ...deps.config.webhooks, allowPrivateUrls: true };
  // Each answer held a little, so the two runs' attempts interleave.
  ok = await startWebhookReceiver({ delayMs: 3 });
  failing = await startWebhookReceiver({ delayMs: 3 });
  // How SST gives a deployed dispatcher its table (a link), with DynamoDB Local as the table.
  Object.assign(process.env, {
    ...linkedTableEnvironment(db),
    EVENTWIRE_ALLOW_PRIVATE_URLS: "true",
    EVENTWIRE_LOG_FORMAT: "json",
  });
});

afterAll(async () => {
  process.env = savedEnv;
  await ok.close();
  await failing.close();
  await db.drop();
});

describe("overlapping dispatcher runs", () => {
  it("a queue run and a scheduled run at once make each message once, send it once per attempt on record, and both end well", async () => {
    const okId = await subscribe(ok, ["event.created", "article.added"]);
    const failingId = await subscribe(failing, ["event.created"]);
    // Ten changes already made into messages (due now), ten more not yet.
    await storeStories(db.store, stories(0, 10));
    expect(await fanOutChanges(deps)).toBe(30);
    await storeStories(db.store, stories(10, 10));
    // The second endpoint fails every first attempt: its messages go back to wait for a retry.
    failing.script.push(...Array.from({ length: 20 }, () => ({ status: 500 })));

    const fromQueue = await dispatcherContainer();
    const onSchedule = await dispatcherContainer();
    const [queueRun, scheduledRun] = await Promise.all([fromQueue(queueBatch()), onSchedule(scheduleEvent("overlap"))]);

    // Between them: the ten new changes made into messages once.
    const runs = [queueRun, scheduledRun];
    const sum = (field: "made" | "attempted" | "delivered" | "failed") => runs.reduce((total, run) => total + run[field], 0);
    expect(sum("made")).toBe(30);
    expect(ok.rejected).toEqual([]);
    expect(failing.rejected).toEqual([]);
    // Every message to the healthy endpoint sent once, and recorded delivered after one attempt.
    expect(ok.received).toHaveLength(40);
    expect(new Set(ok.received.map((message) => message.id)).size).toBe(40);
    const healthy = await db.store.webhooks.listMessages(okId, { after: null, limit: 100 });
    expect(healthy).toHaveLength(40);
    expect(healthy.every((message) => message.state === "delivered" && message.attempts === 1)).toBe(true);
    // The failing endpoint's 20 messages: each request it saw is one attempt on record, for the
    // message it names (its retries fall due after seconds, so a run may have made some already).
    const retried = await db.store.webhooks.listMessages(failingId, { after: null, limit: 100 });
    expect(retried).toHaveLength(20);
    expectOneRequestPerAttempt(failing, retried);
    // The runs' own counts agree with the record: 20 answers of 500, the rest delivered.
    const attemptsOnRecord = [...healthy, ...retried].reduce((total, message) => total + message.attempts, 0);
    expect(sum("attempted")).toBe(attemptsOnRecord);
    expect(sum("failed")).toBe(20);
    expect(sum("delivered")).toBe([...healthy, ...retried].filter((message) => message.state === "delivered").length);

    // Both again at once: nothing is made twice, a delivered message is never sent again, and the
    // failing endpoint's requests still match the attempts on record.
    const rerun = await Promise.all([onSchedule(scheduleEvent("next")), fromQueue(queueBatch())]);
    expect(rerun.map((run) => run.made)).toEqual([0, 0]);
    expect(ok.received).toHaveLength(40);
    expectOneRequestPerAttempt(failing, await db.store.webhooks.listMessages(failingId, { after: null, limit: 100 }));
  }, 120_000);
});
