import path from "node:path";
import { fileURLToPath } from "node:url";
import { addSource } from "@eventwire/pipeline";
import { BUNDLE_ROOT, type LambdaName, lambdaSizing } from "../../infra/bundles";
import { buildBundles } from "../build";
import { bundleProblems } from "../bundle-manifest";
import type { ScheduleEvent } from "../schedule-event";
import { runChild } from "./child";
import type { BenchContext, BenchFigures } from "./context";
import { benchPipelineDeps, quietLog } from "./pipeline-deps";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");

/** A real-shaped first event for each function. */
export function firstEvent(name: LambdaName, sourceId: string): unknown {
  const now = new Date().toISOString();
  // What a schedule's EventBridge Scheduler target passes (infra/cron.ts, functions/schedule-event.ts).
  const scheduled: ScheduleEvent = { schedule: name, scheduledTime: now, executionId: "bench", attempt: "1" };
  if (name === "api") {
    return {
      version: "2.0",
      routeKey: "$default",
      rawPath: "/feeds/isis-syria.json",
      rawQueryString: "",
      headers: { host: "bench.lambda-url.us-east-1.on.aws", accept: "application/feed+json" },
      requestContext: {
        accountId: "anonymous",
        apiId: "bench",
        domainName: "bench.lambda-url.us-east-1.on.aws",
        domainPrefix: "bench",
        http: { method: "GET", path: "/feeds/isis-syria.json", protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "bench" },
        requestId: "bench",
        routeKey: "$default",
        stage: "$default",
        time: now,
        timeEpoch: Date.now(),
      },
      isBase64Encoded: false,
    };
  }
  if (name === "ingest-worker") {
    return {
      Records: [
        {
          messageId: "bench-1",
          receiptHandle: "bench",
          body: JSON.stringify({ sourceId, scheduledAt: now }),
          attributes: {},
          messageAttributes: {},
          md5OfBody: "",
          eventSource: "aws:sqs",
          eventSourceARN: "arn:aws:sqs:us-east-1:0:IngestQueue",
          awsRegion: "us-east-1",
        },
      ],
    };
  }
  return scheduled;
}

/**
 * The environment a bundle runs in here: local AWS credentials, the run's DynamoDB Local and
 * table, JSON logs, private URLs allowed (the bench's servers are on 127.0.0.1), and the Node
 * options its function is deployed with (its heap bound); `extra` adds or overrides settings.
 */
export function bundleEnv(
  name: LambdaName,
  table: { endpoint: string; tableName: string },
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    NODE_OPTIONS: lambdaSizing(name).nodeOptions,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    DYNAMODB_ENDPOINT: table.endpoint,
    EVENTWIRE_TABLE: table.tableName,
    EVENTWIRE_ALLOW_PRIVATE_URLS: "true",
    EVENTWIRE_LOG_FORMAT: "json",
    ...extra,
  };
}

/** Spawns `node` on one bundle and resolves with the milliseconds from spawn to the handler's answer. */
async function firstAnswer(file: string, event: unknown, env: NodeJS.ProcessEnv): Promise<{ ms: number; answer: unknown }> {
  const started = performance.timeOrigin + performance.now();
  const { code, stdout, stderr } = await runChild(
    process.execPath,
    [path.join(here, "cold-start.mjs"), file, JSON.stringify(event)],
    env,
  );
  const line = stdout.trim().split("\n").pop() ?? "";
  if (code !== 0 || !line.startsWith("{"))
    throw new Error(`${path.basename(path.dirname(file))} bundle failed its first event (exit ${code}): ${stderr.slice(-2000)}`);
  const { answeredAtMs, answer } = JSON.parse(line) as { answeredAtMs: number; answer: unknown };
  return { ms: answeredAtMs - started, answer };
}

/**
 * Lambda bundles, measured on the files a deploy ships: `npm run build`'s folders under dist/
 * (built afresh here, as `npm run build` builds them), each function's size (every file of its
 * folder) and the time from spawning a fresh `node` on its `index.mjs` to its handler's first
 * answer (import included), against the run's DynamoDB Local with a seeded source and feed,
 * once DynamoDB Local has answered each function's requests once.
 */
export async function benchBundles(context: BenchContext): Promise<BenchFigures> {
  const outDir = path.join(root, BUNDLE_ROOT);
  const bundles = await buildBundles(root, outDir);
  // What infra/ checks before a deploy: these are the folders it would ship.
  const problems = bundleProblems(
    root,
    outDir,
    bundles.map((bundle) => bundle.name),
  );
  if (problems.length > 0) throw new Error(`the bundles just built would not deploy: ${problems.join("; ")}`);
  const { endpoint, tableName } = await context.freshTable("cold");
  const { deps, clients } = benchPipelineDeps(endpoint, tableName, quietLog(context.say));
  // The worker's job names a real source (one that answers 404, recorded as a failure).
  const added = await addSource(deps, { url: "http://127.0.0.1:9/missing.xml" });
  clients.client.destroy();
  if (!added.ok) throw new Error(added.error);
  const figures: BenchFigures = {};
  let maxKb = 0;
  let maxMs = 0;
  // One unmeasured answer from each first: DynamoDB Local's JVM warming up its paths is not a
  // cold start of the function (each measured answer still comes from a fresh process).
  const envOf = (name: LambdaName) =>
    bundleEnv(
      name,
      { endpoint, tableName },
      { EVENTWIRE_SOURCES: "", EVENTWIRE_CURSOR_SECRET: "bench-cursor-secret-0123456789" },
    );
  for (const bundle of bundles) await firstAnswer(bundle.file, firstEvent(bundle.name, added.source.id), envOf(bundle.name));
  for (const bundle of bundles) {
    const runs = context.quick ? 1 : 3;
    const times: number[] = [];
    for (let run = 0; run < runs; run += 1)
      times.push((await firstAnswer(bundle.file, firstEvent(bundle.name, added.source.id), envOf(bundle.name))).ms);
    times.sort((a, b) => a - b);
    const ms = times[Math.floor(times.length / 2)] as number;
    const kb = bundle.bytes / 1024;
    maxKb = Math.max(maxKb, kb);
    maxMs = Math.max(maxMs, ms);
    const key = bundle.name.replace(/-/g, "_");
    figures[`bundle_${key}_kb`] = kb;
    figures[`cold_${key}_ms`] = ms;
    context.say(`bundle ${bundle.name}: ${kb.toFixed(0)} KB, fresh node to first answer ${ms.toFixed(0)} ms (median of ${runs})`);
  }
  return { ...figures, bundle_max_kb: maxKb, cold_first_answer_ms: maxMs };
}
