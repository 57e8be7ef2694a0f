import { existsSync, readFileSync } from "node:fs";
import {
  DISPATCH_SCHEDULE_EXPRESSION,
  DISPATCH_SCHEDULE_MINUTES,
  INGEST_SCHEDULE_EXPRESSION,
  INGEST_SCHEDULE_MINUTES,
} from "@eventwire/pipeline";
import { createTableInput, sstDynamoArgs, TABLE_SCHEMA } from "@eventwire/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENV_NAMES } from "../../functions/config";
import { INGEST_INVOKE_TIMEOUT_MS } from "../../functions/lambda-deps";
import { LINKED, linkedIngestWorkerName } from "../../functions/linked";

// The SST CLI cannot run here, so sst.config.ts and infra/ are loaded with a stand-in for the
// globals SST provides ($config, sst.*) that records what each component is declared with.
type Declared = { kind: string; name: string; args: Record<string, unknown>; instance: object };
const declared: Declared[] = [];
/**
 * Subscriptions made with `Queue.subscribe`: the queue's name, the function (its arguments, or
 * the ARN of a function declared on its own) and the subscriber's options.
 */
type Subscription = { queue: string; subscriber: Record<string, unknown> | string; args: Record<string, unknown> };
const subscriptions: Subscription[] = [];

function component(kind: string) {
  return class {
    readonly name: string;
    readonly url: string;
    readonly arn: string;
    constructor(name: string, args: Record<string, unknown> = {}) {
      this.name = name;
      this.url = `https://${name.toLowerCase()}.lambda-url.example/`;
      this.arn = `arn:aws:test:::${name}`;
      declared.push({ kind, name, args, instance: this });
    }
    subscribe(subscriber: Record<string, unknown> | string, args: Record<string, unknown> = {}) {
      subscriptions.push({ queue: this.name, subscriber, args });
    }
  };
}

type SstConfig = {
  app(input: { stage: string }): Record<string, unknown>;
  run(): Promise<Record<string, unknown>>;
};

let config: SstConfig;
let outputs: Record<string, unknown>;

beforeAll(async () => {
  Object.assign(globalThis, {
    $config: (value: SstConfig) => value,
    sst: {
      Secret: component("sst.Secret"),
      aws: {
        Dynamo: component("sst.aws.Dynamo"),
        Function: component("sst.aws.Function"),
        Cron: component("sst.aws.Cron"),
        Queue: component("sst.aws.Queue"),
      },
    },
  });
  // As if deployed from a shell that sets one forwarded setting.
  process.env.EVENTWIRE_SOURCES = "https://deploy.example/feed.xml";
  delete process.env.EVENTWIRE_FEED_LIMIT;
  // A computed specifier keeps tsc from type-checking sst.config.ts, whose types come from .sst/.
  const specifier = new URL("../../sst.config.ts", import.meta.url).href;
  config = ((await import(/* @vite-ignore */ specifier)) as { default: SstConfig }).default;
  outputs = await config.run();
});

afterAll(() => {
  delete process.env.EVENTWIRE_SOURCES;
});

function one(kind: string, name: string): Declared {
  const matches = declared.filter((entry) => entry.kind === kind && entry.name === name);
  expect(matches, `${kind}("${name}") declared once`).toHaveLength(1);
  return matches[0] as Declared;
}

/** The arguments of the function a subscription runs: given inline, or a declared function's by its ARN. */
function subscriberArgs(subscription: Subscription): Record<string, unknown> {
  if (typeof subscription.subscriber !== "string") return subscription.subscriber;
  const arn = subscription.subscriber;
  const matches = declared.filter(
    (entry) => entry.kind === "sst.aws.Function" && (entry.instance as { arn: string }).arn === arn,
  );
  expect(matches, `one declared function has the ARN ${arn}`).toHaveLength(1);
  return (matches[0] as Declared).args;
}

/** "functions/api.handler" names an existing file that exports `handler`. */
function expectHandler(handler: unknown) {
  expect(handler).toMatch(/^functions\/[\w-]+\.handler$/);
  const file = new URL(`../../${String(handler).replace(/\.handler$/, ".ts")}`, import.meta.url);
  expect(existsSync(file), `${file.pathname} exists`).toBe(true);
  expect(readFileSync(file, "utf8")).toMatch(/export (const handler\b|async function handler\b|function handler\b)/);
}

/** "5 minutes" or "30 seconds" as seconds (0 when unreadable). */
function durationSeconds(value: unknown): number {
  const [, amount = "0", unit = ""] = /^(\d+) (seconds?|minutes?)$/.exec(String(value)) ?? [];
  return Number(amount) * (unit.startsWith("minute") ? 60 : 1);
}

describe("infra contract", () => {
  it("declares the table from the store's definition", () => {
    const table = one("sst.aws.Dynamo", LINKED.table);
    expect(table.args).toEqual(sstDynamoArgs());
    // And that definition agrees with the CreateTable the local runner sends.
    const input = createTableInput("t");
    expect(table.args.primaryIndex).toEqual({ hashKey: TABLE_SCHEMA.partitionKey, rangeKey: TABLE_SCHEMA.sortKey });
    const indexes = table.args.globalIndexes as Record<string, { hashKey: string; rangeKey: string }>;
    expect(Object.keys(indexes).sort()).toEqual(input.GlobalSecondaryIndexes.map((index) => index.IndexName).sort());
    for (const index of input.GlobalSecondaryIndexes) {
      expect(indexes[index.IndexName]).toMatchObject({
        hashKey: index.KeySchema[0]?.AttributeName,
        rangeKey: index.KeySchema[1]?.AttributeName,
      });
    }
    expect(Object.keys(table.args.fields as object).sort()).toEqual(
      input.AttributeDefinitions.map((d) => d.AttributeName).sort(),
    );
    expect(table.args.ttl).toBe(TABLE_SCHEMA.ttlAttribute);
  });

  it("declares the admin key as a secret under the name the functions read", () => {
    one("sst.Secret", LINKED.adminKey);
  });

  it("serves the API from a function with a URL, linked to the table and the secret", () => {
    const api = one("sst.aws.Function", "Api");
    expectHandler(api.args.handler);
    expect(api.args.url).toBe(true);
    const links = api.args.link as object[];
    expect(links).toContain(one("sst.aws.Dynamo", LINKED.table).instance);
    expect(links).toContain(one("sst.Secret", LINKED.adminKey).instance);
    expect(api.args.runtime).toMatch(/^nodejs(20|22|24)\.x$/);
    expect(outputs.api).toBe((api.instance as { url: string }).url);
  });

  it("links the ingest worker to the API, which invokes it by the name it reads from that link", () => {
    const api = one("sst.aws.Function", "Api");
    const worker = one("sst.aws.Function", LINKED.ingestWorker);
    expect(worker.args.handler).toBe("functions/ingest-worker.handler");
    expect(api.args.link as object[]).toContain(worker.instance);
    // What SST sets on the API for that link is what the handler reads the name from.
    const variable = `SST_RESOURCE_${LINKED.ingestWorker}`;
    const before = process.env[variable];
    process.env[variable] = JSON.stringify({ name: "eventwire-prod-IngestWorkerFunction-abc", type: "sst.aws.Function" });
    try {
      expect(linkedIngestWorkerName()).toBe("eventwire-prod-IngestWorkerFunction-abc");
    } finally {
      if (before === undefined) delete process.env[variable];
      else process.env[variable] = before;
    }
    expect(readFileSync(new URL("../../functions/lambda-deps.ts", import.meta.url), "utf8")).toContain(
      "linkedIngestWorkerName()",
    );
    // The API waits for the worker less long than it may run itself, so a slow run is a 504, not a cut-off.
    expect(durationSeconds(api.args.timeout) * 1000).toBeGreaterThan(INGEST_INVOKE_TIMEOUT_MS);
  });

  it("runs ingest on the schedule the code expects, linked to the table and the ingest queue", () => {
    const cron = one("sst.aws.Cron", "Ingest");
    expect(cron.args.schedule).toBe(INGEST_SCHEDULE_EXPRESSION);
    expect(cron.args.schedule).toMatch(/^rate\(\d+ minutes?\)$/);
    expect(INGEST_SCHEDULE_MINUTES).toBeGreaterThanOrEqual(1);
    const fn = cron.args.function as Record<string, unknown>;
    expectHandler(fn.handler);
    expect(fn.link as object[]).toContain(one("sst.aws.Dynamo", LINKED.table).instance);
    expect(fn.link as object[]).toContain(one("sst.aws.Queue", LINKED.ingestQueue).instance);
    // A run must end before the next tick starts another.
    expect(durationSeconds(fn.timeout)).toBeGreaterThan(0);
    expect(durationSeconds(fn.timeout)).toBeLessThan(INGEST_SCHEDULE_MINUTES * 60);
  });

  it("has a worker ingest one source per queue message, with a dead-letter queue", () => {
    const queue = one("sst.aws.Queue", LINKED.ingestQueue);
    const dlq = one("sst.aws.Queue", "IngestDeadLetters");
    const redrive = queue.args.dlq as { queue: unknown; retry: number };
    expect(redrive.queue).toBe((dlq.instance as { arn: string }).arn);
    expect(redrive.retry).toBeGreaterThanOrEqual(1);
    // Standard queue: matching is serialised by optimistic concurrency in the table.
    expect(queue.args.fifo).toBeUndefined();
    const workers = subscriptions.filter((entry) => entry.queue === LINKED.ingestQueue);
    expect(workers).toHaveLength(1);
    const [worker] = workers as [Subscription];
    // The worker is a function of its own (the API links it), subscribed by its ARN.
    const declaredWorker = one("sst.aws.Function", LINKED.ingestWorker);
    expect(worker.subscriber).toBe((declaredWorker.instance as { arn: string }).arn);
    const fn = subscriberArgs(worker);
    expectHandler(fn.handler);
    expect(fn.handler).toBe("functions/ingest-worker.handler");
    expect(fn.link as object[]).toContain(one("sst.aws.Dynamo", LINKED.table).instance);
    // It stores articles, so it tells the dispatcher through its queue.
    expect(fn.link as object[]).toContain(one("sst.aws.Queue", LINKED.dispatchQueue).instance);
    expect(readFileSync(new URL("../../functions/ingest-worker.ts", import.meta.url), "utf8")).toContain("notifyDispatcher");
    // Subscribed by ARN, it is granted nothing on the queue: it must hold what the poller needs.
    expect(fn.permissions).toEqual([
      {
        actions: expect.arrayContaining(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"]),
        resources: [(queue.instance as { arn: string }).arn],
      },
    ]);
    expect(worker.args).toMatchObject({ batch: { size: 1, partialResponses: true } });
    // A message must stay hidden while the worker may still be on it.
    expect(durationSeconds(queue.args.visibilityTimeout)).toBeGreaterThan(durationSeconds(fn.timeout));
  });

  it("runs the dispatcher from its queue (with a dead-letter queue) and on its schedule", () => {
    const queue = one("sst.aws.Queue", LINKED.dispatchQueue);
    const dlq = one("sst.aws.Queue", "DispatchDlq");
    expect(queue.args.dlq).toMatchObject({ queue: (dlq.instance as { arn: string }).arn });
    const dispatchers = subscriptions.filter((entry) => entry.queue === LINKED.dispatchQueue);
    expect(dispatchers).toHaveLength(1);
    const subscription = { fn: subscriberArgs(dispatchers[0] as Subscription) };
    expectHandler(subscription.fn.handler);
    expect(subscription.fn.handler).toBe("functions/dispatch.handler");
    expect(subscription.fn.link as object[]).toContain(one("sst.aws.Dynamo", LINKED.table).instance);
    const seconds = (text: unknown) => {
      const [, amount = "0", unit = ""] = /^(\d+) (seconds|minutes)$/.exec(String(text)) ?? [];
      return Number(amount) * (unit === "minutes" ? 60 : 1);
    };
    // A pass is never handed to a second consumer while it still runs.
    expect(seconds(queue.args.visibilityTimeout)).toBeGreaterThan(seconds(subscription.fn.timeout));

    const cron = one("sst.aws.Cron", "Dispatch");
    expect(cron.args.schedule).toBe(DISPATCH_SCHEDULE_EXPRESSION);
    expect(cron.args.schedule).toMatch(/^rate\(\d+ minutes?\)$/);
    expect(DISPATCH_SCHEDULE_MINUTES).toBeGreaterThanOrEqual(1);
    expect((cron.args.function as Record<string, unknown>).handler).toBe("functions/dispatch.handler");
    expect(subscriptions).toHaveLength(2);
  });

  it("forwards only settings the functions read, and the ones set when deploying", async () => {
    const { FORWARDED_SETTINGS } = (await import(
      /* @vite-ignore */ new URL("../../infra/functions.ts", import.meta.url).href
    )) as {
      FORWARDED_SETTINGS: readonly string[];
    };
    for (const name of FORWARDED_SETTINGS) expect(ENV_NAMES).toContain(name);
    const api = one("sst.aws.Function", "Api");
    expect(api.args.environment).toMatchObject({
      EVENTWIRE_LOG_FORMAT: "json",
      EVENTWIRE_SOURCES: "https://deploy.example/feed.xml",
    });
    expect(Object.keys(api.args.environment as object)).not.toContain("EVENTWIRE_FEED_LIMIT");
  });

  it("declares nothing else, so every component is covered above", () => {
    expect(declared.map((entry) => `${entry.kind}:${entry.name}`).sort()).toEqual(
      [
        "sst.Secret:AdminKey",
        "sst.aws.Cron:Ingest",
        "sst.aws.Cron:Dispatch",
        "sst.aws.Dynamo:Table",
        "sst.aws.Function:Api",
        "sst.aws.Function:IngestWorker",
        "sst.aws.Queue:DispatchQueue",
        "sst.aws.Queue:DispatchDlq",
        "sst.aws.Queue:IngestQueue",
        "sst.aws.Queue:IngestDeadLetters",
      ].sort(),
    );
  });

  it("keeps production data when the stage is removed", () => {
    expect(config.app({ stage: "production" })).toMatchObject({
      name: "eventwire",
      home: "aws",
      removal: "retain",
      protect: true,
    });
    expect(config.app({ stage: "dev" })).toMatchObject({ removal: "remove", protect: false });
  });
});

/** The arguments of every function infra/ declares: on its own, in a Cron, or as a queue's subscriber. */
function declaredFunctions(): Record<string, unknown>[] {
  return [
    ...declared.filter((entry) => entry.kind === "sst.aws.Function").map((entry) => entry.args),
    ...declared.filter((entry) => entry.kind === "sst.aws.Cron").map((entry) => entry.args.function as Record<string, unknown>),
    ...subscriptions.filter((subscription) => typeof subscription.subscriber !== "string").map(subscriberArgs),
  ];
}

describe("Lambda bundles", () => {
  it("happy: the handlers infra/ declares are exactly the ones `npm run build` bundles", async () => {
    const { LAMBDA_HANDLERS } = await import("../../infra/bundles");
    const handlerOf = (args: Record<string, unknown>) => args.handler as string | undefined;
    const seen = new Set<string>();
    for (const entry of declared) {
      const fn = entry.kind === "sst.aws.Cron" ? (entry.args.function as Record<string, unknown>) : entry.args;
      const handler = handlerOf(fn);
      if (handler !== undefined) seen.add(handler);
    }
    for (const subscription of subscriptions) seen.add(subscriberArgs(subscription).handler as string);
    expect([...seen].sort()).toEqual(LAMBDA_HANDLERS.map((entry) => entry.handler).sort());
  });

  it("happy: every function has the memory `npm run bench` measures it with, and a heap bound of half of it", async () => {
    const { LAMBDA_HANDLERS } = await import("../../infra/bundles");
    const functions = declaredFunctions();
    expect(functions.length).toBeGreaterThanOrEqual(LAMBDA_HANDLERS.length);
    for (const fn of functions) {
      const entry = LAMBDA_HANDLERS.find((candidate) => candidate.handler === fn.handler);
      expect(entry, `${String(fn.handler)} is a known handler`).toBeDefined();
      const memoryMb = (entry as (typeof LAMBDA_HANDLERS)[number]).memoryMb;
      expect(fn.memory).toBe(`${memoryMb} MB`);
      expect((fn.environment as Record<string, string>).NODE_OPTIONS).toBe(`--max-old-space-size=${memoryMb / 2}`);
      // The shared settings are still there beside it.
      expect((fn.environment as Record<string, string>).EVENTWIRE_LOG_FORMAT).toBe("json");
    }
  });

  it("happy: every function is bundled by SST with the build's settings: ESM, minified, node22", async () => {
    const { SST_NODEJS } = await import("../../infra/bundles");
    const functions = declaredFunctions();
    expect(functions.length).toBeGreaterThanOrEqual(4);
    for (const fn of functions) {
      expect(fn.nodejs).toBe(SST_NODEJS);
      expect(fn.runtime).toBe("nodejs22.x");
    }
    expect(SST_NODEJS).toMatchObject({ format: "esm", minify: true, esbuild: { target: "node22", platform: "node" } });
  });
});
