import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  DISPATCH_SCHEDULE_EXPRESSION,
  DISPATCH_SCHEDULE_MINUTES,
  INGEST_SCHEDULE_EXPRESSION,
  INGEST_SCHEDULE_MINUTES,
} from "@eventwire/pipeline/schedules";
import { createTableInput, sstDynamoArgs, TABLE_SCHEMA } from "@eventwire/store";
import { describe, expect, it } from "vitest";
import { ENV_NAMES } from "../../functions/config";
import { INGEST_INVOKE_TIMEOUT_MS } from "../../functions/lambda-deps";
import { LINKED, linkedIngestWorkerName } from "../../functions/linked";
import { scheduleEventInput } from "../../functions/schedule-event";
import { BUNDLE_ENTRY, BUNDLE_HANDLER, BUNDLE_ROOT, bundleDir, LAMBDA_HANDLERS, type LambdaName } from "../../infra/bundles";
import {
  arnOf,
  declared,
  declaredFunction,
  declaredFunctions,
  deployRoot,
  durationSeconds,
  expectConsumerOf,
  lambdaOf,
  loaded,
  names,
  one,
  projectRoot,
  type Subscription,
  subscriberArgs,
  subscriptions,
  useInfraStandIn,
  writeBuiltBundles,
} from "../support/infra-stand-in";

// sst.config.ts and infra/ loaded with a stand-in for SST's globals (test/support/infra-stand-in.ts),
// checked against the code. The maintenance components: infra-maintenance.test.ts.
useInfraStandIn();

/** "functions/api.handler" names an existing file that exports `handler`. */
function expectHandler(handler: unknown) {
  expect(handler).toMatch(/^functions\/[\w-]+\.handler$/);
  const file = path.join(projectRoot, String(handler).replace(/\.handler$/, ".ts"));
  expect(existsSync(file), `${file} exists`).toBe(true);
  expect(readFileSync(file, "utf8")).toMatch(/export (const handler\b|async function handler\b|function handler\b)/);
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
    expect(lambdaOf(api.args)).toBe("api");
    expect(api.args.url).toBe(true);
    const links = api.args.link as object[];
    expect(links).toContain(one("sst.aws.Dynamo", LINKED.table).instance);
    expect(links).toContain(one("sst.Secret", LINKED.adminKey).instance);
    expect(loaded.outputs.api).toBe((api.instance as { url: string }).url);
  });

  it("links the ingest worker to the API, which invokes it by the name it reads from that link", () => {
    const api = one("sst.aws.Function", "Api");
    const worker = one("sst.aws.Function", LINKED.ingestWorker);
    expect(lambdaOf(worker.args)).toBe("ingest-worker");
    expect(api.args.link as object[]).toContain(worker.instance);
    // What SST sets on the API for that link is what the handler reads the name from.
    const variable = `SST_RESOURCE_${LINKED.ingestWorker}`;
    const before = process.env[variable];
    process.env[variable] = JSON.stringify({ name: "eventwire-production-IngestWorkerFunction-abc", type: "sst.aws.Function" });
    try {
      expect(linkedIngestWorkerName()).toBe("eventwire-production-IngestWorkerFunction-abc");
    } finally {
      if (before === undefined) delete process.env[variable];
      else process.env[variable] = before;
    }
    expect(readFileSync(path.join(projectRoot, "functions/lambda-deps.ts"), "utf8")).toContain("linkedIngestWorkerName()");
    // The API waits for the worker less long than it may run itself, so a slow run is a 504, not a cut-off.
    expect(durationSeconds(api.args.timeout) * 1000).toBeGreaterThan(INGEST_INVOKE_TIMEOUT_MS);
  });

  it("runs ingest on a CronV2 schedule the code expects, with an event that carries the run, linked to the table and the ingest queue", () => {
    const cron = one("sst.aws.CronV2", "Ingest");
    expect(cron.args.schedule).toBe(INGEST_SCHEDULE_EXPRESSION);
    expect(cron.args.schedule).toMatch(/^rate\(\d+ minutes?\)$/);
    expect(INGEST_SCHEDULE_MINUTES).toBeGreaterThanOrEqual(1);
    // SST passes the target exactly this (`{}` when none is given): the handler logs what it carries.
    expect(cron.args.event).toEqual(scheduleEventInput("ingest"));
    const fn = cron.args.function as Record<string, unknown>;
    expect(lambdaOf(fn)).toBe("ingest");
    expect(readFileSync(path.join(projectRoot, "functions/ingest.ts"), "utf8")).toContain("scheduleEventFields(event)");
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
    expect(redrive.queue).toBe(arnOf(dlq));
    expect(redrive.retry).toBeGreaterThanOrEqual(1);
    // Standard queue: matching is serialised by optimistic concurrency in the table.
    expect(queue.args.fifo).toBeUndefined();
    const workers = subscriptions.filter((entry) => entry.queue === LINKED.ingestQueue);
    expect(workers).toHaveLength(1);
    const [worker] = workers as [Subscription];
    // The worker is a function of its own (the API links it), subscribed by its ARN.
    expect(worker.subscriber).toBe(arnOf(one("sst.aws.Function", LINKED.ingestWorker)));
    const fn = subscriberArgs(worker);
    expect(lambdaOf(fn)).toBe("ingest-worker");
    expect(fn.link as object[]).toContain(one("sst.aws.Dynamo", LINKED.table).instance);
    // It stores articles, so it tells the dispatcher through its queue.
    expect(fn.link as object[]).toContain(one("sst.aws.Queue", LINKED.dispatchQueue).instance);
    // What follows storing is written once for every ingest handler (functions/after-storing.ts).
    expect(readFileSync(path.join(projectRoot, "functions/ingest-worker.ts"), "utf8")).toContain("afterStoringFor(deps)");
    expect(readFileSync(path.join(projectRoot, "functions/after-storing.ts"), "utf8")).toContain("notifyDispatcher");
    // Subscribed by ARN, it is granted nothing on the queue: it must hold what the poller needs.
    expectConsumerOf(fn, queue);
    expect(worker.args).toMatchObject({ batch: { size: 1, partialResponses: true } });
    // A message must stay hidden while the worker may still be on it.
    expect(durationSeconds(queue.args.visibilityTimeout)).toBeGreaterThan(durationSeconds(fn.timeout));
  });

  it("runs one dispatcher function from its queue (with a dead-letter queue) and on its CronV2 schedule", () => {
    const queue = one("sst.aws.Queue", LINKED.dispatchQueue);
    const dlq = one("sst.aws.Queue", "DispatchDlq");
    expect(queue.args.dlq).toMatchObject({ queue: arnOf(dlq) });
    const dispatcher = one("sst.aws.Function", "Dispatcher");
    expect(lambdaOf(dispatcher.args)).toBe("dispatch");
    expect(dispatcher.args.link as object[]).toContain(one("sst.aws.Dynamo", LINKED.table).instance);
    const dispatchers = subscriptions.filter((entry) => entry.queue === LINKED.dispatchQueue);
    expect(dispatchers).toHaveLength(1);
    expect(dispatchers[0]?.subscriber).toBe(arnOf(dispatcher));
    expect(dispatcher.args.permissions).toEqual([
      { actions: expect.arrayContaining(["sqs:ReceiveMessage", "sqs:DeleteMessage"]), resources: [arnOf(queue)] },
    ]);
    // A pass is never handed to a second consumer while it still runs.
    expect(durationSeconds(queue.args.visibilityTimeout)).toBeGreaterThan(durationSeconds(dispatcher.args.timeout));
    // Overlapping passes are left uncapped: a reserved concurrency would throttle queue batches
    // into the dead-letter queue (their harmlessness: test/integration/dispatch-overlap.test.ts).
    expect(dispatcher.args.concurrency).toBeUndefined();

    const cron = one("sst.aws.CronV2", "Dispatch");
    expect(cron.args.schedule).toBe(DISPATCH_SCHEDULE_EXPRESSION);
    expect(cron.args.schedule).toMatch(/^rate\(\d+ minutes?\)$/);
    expect(DISPATCH_SCHEDULE_MINUTES).toBeGreaterThanOrEqual(1);
    expect(cron.args.function).toBe(arnOf(dispatcher));
    expect(cron.args.event).toEqual(scheduleEventInput("dispatch"));
    expect(subscriptions.filter((entry) => entry.queue === LINKED.dispatchQueue)).toHaveLength(1);
  });

  it("keeps dead letters 14 days, SQS's most (not its default 4)", () => {
    for (const name of ["IngestDeadLetters", "DispatchDlq", "MaintainDlq"]) {
      const dlq = one("sst.aws.Queue", name);
      expect(dlq.args, name).toEqual({ transform: { queue: { messageRetentionSeconds: 14 * 24 * 60 * 60 } } });
    }
  });

  it("declares nothing else, so every component is covered above", () => {
    expect(declared.map((entry) => `${entry.kind}:${entry.name}`).sort()).toEqual(
      [
        "sst.Secret:AdminKey",
        "sst.aws.CronV2:Ingest",
        "sst.aws.CronV2:Dispatch",
        "sst.aws.Dynamo:Table",
        "sst.aws.Function:Api",
        "sst.aws.Function:IngestWorker",
        "sst.aws.Function:Dispatcher",
        "sst.aws.Queue:DispatchQueue",
        "sst.aws.Queue:DispatchDlq",
        "sst.aws.Queue:IngestQueue",
        "sst.aws.Queue:IngestDeadLetters",
        "sst.aws.Function:Maintainer",
        "sst.aws.CronV2:Maintain",
        "sst.aws.Queue:MaintainQueue",
        "sst.aws.Queue:MaintainDlq",
      ].sort(),
    );
  });

  it("names every infra file in infra/README.md", () => {
    const readme = readFileSync(path.join(projectRoot, "infra/README.md"), "utf8");
    const files = readdirSync(path.join(projectRoot, "infra")).filter((file) => file.endsWith(".ts"));
    expect(files.length).toBeGreaterThanOrEqual(8);
    for (const file of files) expect(readme, file).toContain(`| \`${file}\` |`);
  });
});

describe("stages", () => {
  it("keeps production data when the stage is removed, and refuses a near miss of its name", () => {
    expect(loaded.config.app({ stage: "production" })).toMatchObject({
      name: "eventwire",
      home: "aws",
      removal: "retain",
      protect: true,
    });
    expect(loaded.config.app({ stage: "dev" })).toMatchObject({ removal: "remove", protect: false });
    for (const stage of ["prod", "PROD", "prd", "live", "Production"])
      expect(() => loaded.config.app({ stage }), stage).toThrow(/the production stage is named "production"/);
  });

  it("every stage the deploy docs name is one app() takes, and the secret is set for the stage deployed", () => {
    const texts = [
      "sst.config.ts",
      "README.md",
      ...readdirSync(path.join(projectRoot, "docs"))
        .filter((f) => f.endsWith(".md"))
        .map((f) => `docs/${f}`),
      "infra/README.md",
      ...readdirSync(path.join(projectRoot, "infra")).map((f) => `infra/${f}`),
    ];
    const stages = new Set<string>();
    for (const file of texts) {
      for (const match of readFileSync(path.join(projectRoot, file), "utf8").matchAll(/--stage[ =]([A-Za-z][\w-]*)/g))
        stages.add(match[1] as string);
    }
    expect(stages).toContain("production");
    for (const stage of stages) expect(() => loaded.config.app({ stage }), stage).not.toThrow();
    // The deploy doc's commands: the secret is set for the stage that is then deployed.
    const deployDoc = readFileSync(path.join(projectRoot, "docs/deploying.md"), "utf8");
    const secret = /sst secret set AdminKey .*--stage (\S+)/.exec(deployDoc)?.[1];
    const deploy = /npm run deploy -- --stage (\S+)/.exec(deployDoc)?.[1];
    expect(secret).toBe("production");
    expect(deploy).toBe(secret);
    expect(loaded.config.app({ stage: deploy as string })).toMatchObject({ removal: "retain", protect: true });
  });
});

describe("Lambda bundles", () => {
  it("happy: infra deploys exactly the folders `npm run build` writes, one a function, each with its handler", () => {
    const functions = declaredFunctions();
    expect(functions.map(lambdaOf).sort()).toEqual([...names].sort());
    for (const fn of functions) {
      // SST bundles nothing itself: what ships is the folder, as built and measured.
      expect(fn.bundle).toBe(bundleDir(path.join(deployRoot, BUNDLE_ROOT), lambdaOf(fn)));
      expect(fn.handler).toBe(BUNDLE_HANDLER);
      expect(`${BUNDLE_HANDLER.replace(/\.handler$/, "")}.mjs`).toBe(BUNDLE_ENTRY);
      expect(fn.nodejs).toBeUndefined();
      expect(fn.runtime).toBe("nodejs22.x");
      expect(fn.architecture).toBe("arm64");
    }
    // Each folder is one function's own (SST writes the function's links into it at deploy).
    expect(new Set(functions.map((fn) => fn.bundle)).size).toBe(functions.length);
    // And each is built from a handler that exists.
    for (const entry of LAMBDA_HANDLERS) expectHandler(entry.handler);
    // `npm run build` writes them where infra looks.
    expect(readFileSync(path.join(projectRoot, "functions/build-command.ts"), "utf8")).toContain(
      "buildBundles(root, path.join(root, BUNDLE_ROOT))",
    );
  });

  it("happy: every function has the memory `npm run bench` measures it with, and a heap bound of half of it", () => {
    for (const entry of LAMBDA_HANDLERS) {
      const fn = declaredFunction(entry.name);
      expect(fn.memory).toBe(`${entry.memoryMb} MB`);
      expect((fn.environment as Record<string, string>).NODE_OPTIONS).toBe(`--max-old-space-size=${entry.memoryMb / 2}`);
      expect((fn.environment as Record<string, string>).EVENTWIRE_LOG_FORMAT).toBe("json");
    }
  });

  it("error: a deploy stops when the bundles are missing, hold a source map, or are older than the code", () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), "eventwire-infra-empty-"));
    try {
      expect(() => loaded.infra.requireBuiltBundles(empty)).toThrow(/bundles\.json is missing: nothing was built.*npm run build/);
      writeBuiltBundles(empty);
      expect(() => loaded.infra.requireBuiltBundles(empty)).not.toThrow();
      // SST's own file, written into the folder by a deploy, is not the build's concern.
      writeFileSync(path.join(empty, BUNDLE_ROOT, "api", "resource.enc"), "links");
      expect(() => loaded.infra.requireBuiltBundles(empty)).not.toThrow();
      writeFileSync(path.join(empty, BUNDLE_ROOT, "api", "index.mjs.map"), "{}");
      expect(() => loaded.infra.requireBuiltBundles(empty)).toThrow(/index\.mjs\.map is a source map, and would ship/);
      rmSync(path.join(empty, BUNDLE_ROOT, "api", "index.mjs.map"));
      rmSync(path.join(empty, BUNDLE_ROOT, "dispatch"), { recursive: true });
      expect(() => loaded.infra.requireBuiltBundles(empty)).toThrow(/the dispatch function was not built/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe("function environments (Lambda's 4 KB)", () => {
  it("happy: each function gets only the deploy settings it reads, and the ingest function the sources file", () => {
    const env = (name: LambdaName) => declaredFunction(name).environment as Record<string, string>;
    expect(env("api")).toMatchObject({ EVENTWIRE_FEED_LIMIT: "80", EVENTWIRE_WEBHOOK_TIMEOUT_MS: "9000" });
    expect(env("dispatch")).toMatchObject({ EVENTWIRE_WEBHOOK_TIMEOUT_MS: "9000" });
    expect(env("ingest-worker")).toMatchObject({ EVENTWIRE_FETCH_TIMEOUT_MS: "20000" });
    expect(env("ingest")).toMatchObject({ EVENTWIRE_INGEST_SPREAD_SECONDS: "30", EVENTWIRE_SOURCES_FILE: "sources.txt" });
    for (const name of names) {
      const keys = Object.keys(env(name));
      for (const key of keys.filter((k) => k.startsWith("EVENTWIRE_") && k !== "EVENTWIRE_LOG_FORMAT")) {
        if (key === "EVENTWIRE_SOURCES_FILE") expect(name).toBe("ingest");
        else expect(loaded.infra.SETTINGS_READ[name], `${name} reads ${key}`).toContain(key);
      }
      expect(keys).not.toContain("EVENTWIRE_SOURCES");
    }
    expect(Object.keys(env("api"))).not.toContain("EVENTWIRE_FETCH_TIMEOUT_MS");
    expect(Object.keys(env("dispatch"))).not.toContain("EVENTWIRE_FEED_LIMIT");
    expect(Object.keys(env("ingest-worker"))).not.toContain("EVENTWIRE_WEBHOOK_TIMEOUT_MS");
    // The sources file goes beside the ingest function's bundle, under the name its environment gives.
    expect(declaredFunction("ingest").copyFiles).toEqual([{ from: "config/feeds.txt", to: "sources.txt" }]);
    for (const name of names.filter((n) => n !== "ingest")) expect(declaredFunction(name).copyFiles).toBeUndefined();
  });

  it("happy: every setting is forwarded to some function, or is one that is not a deploy setting", () => {
    // Set some other way on AWS: the secret, the table's link, JSON logs always, the sources and theme files by infra
    // (infra-themes.test.ts); or local only.
    const notForwarded = [
      "EVENTWIRE_ADMIN_KEY",
      "EVENTWIRE_CURSOR_SECRET",
      "EVENTWIRE_TABLE",
      "EVENTWIRE_LOG_FORMAT",
      "EVENTWIRE_SOURCES",
      "EVENTWIRE_SOURCES_FILE",
      "EVENTWIRE_THEMES",
      "EVENTWIRE_SCHEDULE_SECONDS",
      "EVENTWIRE_DISPATCH_SECONDS",
      "EVENTWIRE_MAINTENANCE_SECONDS",
    ];
    for (const name of loaded.infra.FORWARDED_SETTINGS) expect(ENV_NAMES).toContain(name);
    for (const name of ENV_NAMES.filter((n) => n.startsWith("EVENTWIRE_")))
      expect(loaded.infra.FORWARDED_SETTINGS.includes(name) || notForwarded.includes(name), name).toBe(true);
  });

  it("happy: the largest environment, every setting at its longest, stays under 4 KB with what SST adds", () => {
    const longest: Record<string, string> = { EVENTWIRE_SOURCES_FILE: "config/feeds.txt" };
    for (const name of loaded.infra.FORWARDED_SETTINGS)
      longest[name] = name.endsWith("_URL")
        ? `https://${"a".repeat(240)}.example/`
        : name.endsWith("_URLS")
          ? "false"
          : "1000000";
    const sizes = names.map((name) =>
      loaded.infra.environmentBytes(loaded.infra.lambdaFunction(name, { root: deployRoot, env: longest }).environment),
    );
    expect(Math.max(...sizes) + loaded.infra.SST_ENVIRONMENT_BYTES).toBeLessThanOrEqual(4096);
    // What SST adds, with a stage name of 40 letters, fits its allowance.
    const sst = {
      SST_RESOURCE_App: JSON.stringify({ name: "eventwire", stage: "s".repeat(40) }),
      SST_KEY: Buffer.alloc(32).toString("base64"),
      SST_KEY_FILE: "resource.enc",
    };
    expect(loaded.infra.environmentBytes(sst)).toBeLessThan(loaded.infra.SST_ENVIRONMENT_BYTES);
  });

  it("error: a deploy stops on an environment over 4 KB, on EVENTWIRE_SOURCES, and on a sources file that is not there", () => {
    const deploy = (env: Record<string, string>) => ({ root: deployRoot, env });
    expect(() =>
      loaded.infra.lambdaFunction("api", deploy({ EVENTWIRE_PUBLIC_URL: `https://${"a".repeat(4000)}.example/` })),
    ).toThrow(/the api function's environment takes \d+ bytes.*over Lambda's 4096\. Largest: EVENTWIRE_PUBLIC_URL/);
    expect(() => loaded.infra.lambdaFunction("ingest", deploy({ EVENTWIRE_SOURCES: "https://a.example/rss" }))).toThrow(
      /EVENTWIRE_SOURCES is set, but it is not deployed.*EVENTWIRE_SOURCES_FILE=FILE.*POST \/api\/v1\/sources/,
    );
    expect(() => loaded.infra.lambdaFunction("ingest", deploy({ EVENTWIRE_SOURCES_FILE: "missing.txt" }))).toThrow(
      /EVENTWIRE_SOURCES_FILE="missing.txt": .*missing.txt is not a file/,
    );
    // Without a file the ingest function seeds the default sources: nothing is shipped.
    expect(loaded.infra.lambdaFunction("ingest", deploy({})).copyFiles).toBeUndefined();
  });
});
