import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { addSource } from "@eventwire/pipeline";
import { lambdaSizing } from "../../infra/bundles";
import { buildBundles } from "../build";
import { bundleEnv, firstEvent } from "./bundles";
import { runChild } from "./child";
import type { BenchContext, BenchFigures } from "./context";
import { startFeedServer, syntheticFeed } from "./feed";
import { benchPipelineDeps, quietLog } from "./pipeline-deps";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");

type Measured = { peakMb: number; seconds: number; stdout: string; stderr: string };

/** Runs `node` with `args` under `/usr/bin/time -v` and reads its peak RSS (the log, on stderr, is kept). */
async function peakRss(args: string[], env: NodeJS.ProcessEnv, what: string): Promise<Measured> {
  const started = performance.now();
  const { code, stdout, stderr } = await runChild("/usr/bin/time", ["-v", process.execPath, ...args], env, root);
  const peak = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  if (code !== 0 || peak === null) throw new Error(`${what} failed (exit ${code}): ${stdout.slice(-500)} ${stderr.slice(-1500)}`);
  return { peakMb: Number(peak[1]) / 1024, seconds: (performance.now() - started) / 1000, stdout, stderr };
}

/** The JSON log lines of a function's output (time's report and anything else skipped). */
function logLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/**
 * Memory: peak RSS (`/usr/bin/time -v`) of ingesting one 10,000-item feed into the run's
 * DynamoDB Local, twice, each on a fresh table:
 * - `ingest_peak_rss_mb`, the ingest as deployed: the ingest worker's bundle (`npm run build`)
 *   in a fresh `node` with the Node options its function is deployed with (infra/bundles.ts:
 *   the heap bound of its memory size), answering the queue message that names the source;
 * - `ingest_cli_peak_rss_mb`: `eventwire ingest --once`, the TypeScript run through tsx with
 *   node's own heap sizing for this machine.
 */
export async function benchMemory(context: BenchContext): Promise<BenchFigures> {
  const count = context.quick ? 200 : 10_000;
  const feeds = await startFeedServer((base) => ({ "/big.xml": syntheticFeed(count, base, new Date(), 31) }));
  const outDir = mkdtempSync(path.join(os.tmpdir(), "eventwire-memory-"));
  try {
    const limits = {
      EVENTWIRE_ALLOW_PRIVATE_URLS: "true",
      EVENTWIRE_MAX_ITEMS_PER_FETCH: String(count),
      EVENTWIRE_MAX_FEED_BYTES: String(100 * 1024 * 1024),
      EVENTWIRE_LOG_FORMAT: "json",
      // The per-source "source ingested" line (its stored count) is a debug line.
      EVENTWIRE_LOG_LEVEL: "debug",
    };
    const bundle = (await buildBundles(root, outDir)).find((built) => built.name === "ingest-worker");
    if (bundle === undefined) throw new Error("memory: npm run build made no ingest-worker bundle");
    const worker = await context.freshTable("memory-worker");
    const { deps, clients } = benchPipelineDeps(worker.endpoint, worker.tableName, quietLog(context.say));
    const added = await addSource(deps, { url: feeds.url("/big.xml") });
    clients.client.destroy();
    if (!added.ok) throw new Error(added.error);
    const { nodeOptions, memoryMb } = lambdaSizing("ingest-worker");
    const deployed = await peakRss(
      [path.join(here, "cold-start.mjs"), bundle.file, JSON.stringify(firstEvent("ingest-worker", added.source.id))],
      bundleEnv("ingest-worker", worker, limits),
      "the ingest worker bundle",
    );
    const done = logLines(deployed.stderr).find((line) => line.message === "source ingested");
    if (done?.stored !== count)
      throw new Error(`memory: the ingest worker did not store ${count} articles: ${deployed.stderr.slice(-800)}`);
    if (!deployed.stdout.includes('"batchItemFailures":[]'))
      throw new Error(`memory: the ingest worker failed its message: ${deployed.stdout.slice(-800)}`);
    context.say(
      `memory: ingest worker bundle (${memoryMb} MB function, NODE_OPTIONS=${nodeOptions}) over a ${count}-item feed: peak RSS ${deployed.peakMb.toFixed(0)} MB (${deployed.seconds.toFixed(0)} s)`,
    );

    const cliTable = await context.freshTable("memory-cli");
    const cli = await peakRss(
      ["--import", "tsx", path.join(root, "functions/cli.ts"), "ingest", "--once"],
      {
        ...process.env,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        DYNAMODB_ENDPOINT: cliTable.endpoint,
        EVENTWIRE_TABLE: cliTable.tableName,
        EVENTWIRE_SOURCES: feeds.url("/big.xml"),
        ...limits,
      },
      "ingest --once",
    );
    if (!cli.stdout.includes(`${count} articles stored`))
      throw new Error(`memory: ingest --once did not store ${count} articles: ${cli.stdout.slice(-500)}`);
    context.say(
      `memory: eventwire ingest --once (tsx, node's heap sizing for this machine) over the same feed: peak RSS ${cli.peakMb.toFixed(0)} MB (${cli.seconds.toFixed(0)} s)`,
    );
    return { ingest_peak_rss_mb: deployed.peakMb, ingest_cli_peak_rss_mb: cli.peakMb, memory_feed_items: count };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
    await feeds.close();
  }
}
