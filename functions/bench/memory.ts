import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchContext, BenchFigures } from "./context";
import { startFeedServer, syntheticFeed } from "./feed";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * Memory: peak RSS of `eventwire ingest --once` (a child process, read by /usr/bin/time -v)
 * ingesting one 10,000-item feed into the run's DynamoDB Local.
 */
export async function benchMemory(context: BenchContext): Promise<BenchFigures> {
  const count = context.quick ? 200 : 10_000;
  const { endpoint, tableName } = await context.freshTable("memory");
  const feeds = await startFeedServer((base) => ({ "/big.xml": syntheticFeed(count, base, new Date(), 31) }));
  try {
    const env = {
      ...process.env,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      DYNAMODB_ENDPOINT: endpoint,
      EVENTWIRE_TABLE: tableName,
      EVENTWIRE_SOURCES: feeds.url("/big.xml"),
      EVENTWIRE_ALLOW_PRIVATE_URLS: "true",
      EVENTWIRE_MAX_ITEMS_PER_FETCH: String(count),
      EVENTWIRE_MAX_FEED_BYTES: String(100 * 1024 * 1024),
      EVENTWIRE_LOG_FORMAT: "json",
    };
    const cli = path.join(root, "functions/cli.ts");
    const started = performance.now();
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
      (resolve, reject) => {
        const child = spawn("/usr/bin/time", ["-v", process.execPath, "--import", "tsx", cli, "ingest", "--once"], {
          env,
          cwd: root,
        });
        let out = "";
        let err = "";
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
        });
        child.stderr.on("data", (chunk: Buffer) => {
          err = (err + chunk.toString()).slice(-20_000);
        });
        child.on("error", reject);
        child.on("exit", (exitCode) => resolve({ code: exitCode, stdout: out, stderr: err }));
      },
    );
    const seconds = (performance.now() - started) / 1000;
    const peak = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
    if (code !== 0 || peak === null)
      throw new Error(`ingest --once failed (exit ${code}): ${stdout.slice(-500)} ${stderr.slice(-1500)}`);
    if (!stdout.includes(`${count} articles stored`))
      throw new Error(`ingest --once did not store ${count} articles: ${stdout.slice(-500)}`);
    const peakMb = Number(peak[1]) / 1024;
    context.say(`memory: ingest --once of a ${count}-item feed: peak RSS ${peakMb.toFixed(0)} MB (${seconds.toFixed(0)} s)`);
    return { ingest_peak_rss_mb: peakMb, memory_feed_items: count };
  } finally {
    await feeds.close();
  }
}
