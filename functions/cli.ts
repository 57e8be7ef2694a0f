import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { errorMessage, type Log } from "@eventwire/core";
import {
  addSource,
  configureSource,
  firstTheme,
  type IngestRunSummary,
  importEvents,
  ingestDueSources,
  type PipelineDeps,
  type SeedSourcesResult,
  seedSources,
} from "@eventwire/pipeline";
import { createDynamoClients, ensureTable } from "@eventwire/store";
import { BENCH_USAGE, runBenchCommand } from "./bench/run";
import { ConfigError, type EnvSettings, parseEnv, sourceUrls } from "./config";
import { buildPipelineDeps } from "./deps";
import { EVAL_USAGE, runEvalCommand, UsageError } from "./eval-command";
import { EvalInputError, readImportGroups } from "./eval-files";
import { loadOrCreateAdminKey } from "./local/admin-key";
import { startBanner } from "./local/banner";
import { DEMO_OUTLETS, loadDemoCorpus, startDemoFeedServer } from "./local/demo/feed-server";
import { startDynamoLocal } from "./local/dynamo-local";
import { MissingPrerequisiteError } from "./local/java";
import { startLocalStack } from "./local/stack";
import { createLog } from "./log";
import { formatMaintenance, MAINTAIN_USAGE, maintainedThemes, runMaintenance } from "./maintain-command";
import { runThemesCommand, THEMES_USAGE } from "./themes-command";
import { configuredThemes } from "./themes-config";
import { runTrainCommand } from "./train-command";

const USAGE = `eventwire: news feeds in, events out (RSS/Atom/JSON feeds, a JSON API).

Usage: eventwire <command> [options]      (or: npm run cli -- <command> [options])

  start [--demo]           run the local stack: DynamoDB Local, the API on PORT, the ingest schedule
                           --demo adds a local feed server releasing a bundled sample corpus
  ingest --once            fetch every enabled source now, store new articles, print the summary
                           (exit 2 when a source failed or a configured one could not be added)
  sources add URL [--title TITLE] [--interval SECONDS]
                           add a feed to poll (adding it again changes nothing)
  sources list             list sources and their fetch state
  sources set ID [--full-text on|off] [--enabled on|off] [--interval SECONDS]
                           change a source's settings (ID from sources list)
  import-events FILE.jsonl load labelled articles as existing events (one per "event" label)
  ${MAINTAIN_USAGE}   run a maintenance pass now: merge and split each theme's (or this one's) recent events, print what it did
  train --stream FILE [--stream FILE …] [--existing FILE] [--theme ID|FILE] [--out FILE] [--cv GROUPS [--cv-only]] [--no-maintenance] [--l2 N]
                           re-train the matcher model on labelled articles (--cv: leave-one-group-out figures first)
  ${BENCH_USAGE}
                           measure ingest, matching, serving, webhooks, bundles and memory; see BENCHMARKS.md
  ${EVAL_USAGE}
                           score the matcher on labelled articles (see docs/matching.md)
  ${THEMES_USAGE}
  help                     show this text

Environment: PORT (8787), HOST (127.0.0.1), DATA_DIR (.data), EVENTWIRE_SOURCES or EVENTWIRE_SOURCES_FILE,
EVENTWIRE_THEMES, EVENTWIRE_ADMIN_KEY, EVENTWIRE_LOG_LEVEL (info; debug adds a line per poll), DYNAMODB_ENDPOINT (use a
running DynamoDB instead of starting one); see docs/configuration.md.`;

const TABLE_DEFAULT = "eventwire";
/** The demo releases this many articles at start and at each release. */
const DEMO_BATCH = 3;
const DEMO_RELEASE_SECONDS = 8;

type StackFile = { pid: number; dynamoEndpoint: string; apiUrl: string };

function stackFile(settings: EnvSettings): string {
  return path.resolve(settings.DATA_DIR, "stack.json");
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The DynamoDB endpoint of a `start` running on the same DATA_DIR, if it answers. */
async function runningStackEndpoint(settings: EnvSettings): Promise<string | undefined> {
  const file = stackFile(settings);
  if (!existsSync(file)) return undefined;
  let stack: StackFile;
  try {
    stack = JSON.parse(readFileSync(file, "utf8")) as StackFile;
  } catch {
    return undefined;
  }
  if (!isAlive(stack.pid)) return undefined;
  const { client } = createDynamoClients({ endpoint: stack.dynamoEndpoint, maxAttempts: 1 });
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }));
    return stack.dynamoEndpoint;
  } catch {
    return undefined;
  } finally {
    client.destroy();
  }
}

/**
 * Runs `work` against the store a command should use: DYNAMODB_ENDPOINT when set, else the
 * DynamoDB Local of a running `start` on the same DATA_DIR, else one started for this command.
 */
async function withDeps<T>(settings: EnvSettings, log: Log, work: (deps: PipelineDeps) => Promise<T>): Promise<T> {
  // Before DynamoDB Local starts: a bad theme file stops the command with nothing left running.
  const themes = configuredThemes(settings);
  let endpoint = settings.DYNAMODB_ENDPOINT ?? (await runningStackEndpoint(settings));
  let stopDynamo: (() => Promise<void>) | undefined;
  if (endpoint === undefined) {
    const dynamo = await startDynamoLocal({ dataDir: path.join(settings.DATA_DIR, "dynamodb") });
    endpoint = dynamo.endpoint;
    stopDynamo = () => dynamo.stop();
  }
  const tableName = settings.EVENTWIRE_TABLE ?? TABLE_DEFAULT;
  const { deps, clients } = buildPipelineDeps({ settings: { ...settings, DYNAMODB_ENDPOINT: endpoint }, tableName, log, themes });
  try {
    await ensureTable(clients.client, tableName);
    return await work(deps);
  } finally {
    clients.client.destroy();
    await stopDynamo?.();
  }
}

/**
 * One line per source: those that worked on stdout, failures (and configured URLs that could not
 * be added) on stderr with their reasons; then the totals on stdout.
 */
function printSummary(summary: IngestRunSummary, refused: SeedSourcesResult["refused"]): void {
  for (const { url, error } of refused) process.stderr.write(`NOT ADDED  ${url}  ${error}\n`);
  for (const result of summary.results) {
    if (result.ok) {
      const detail =
        result.status === "not-modified" ? "not modified" : `${result.stored} new, ${result.duplicates} already stored`;
      process.stdout.write(`ok    ${result.url}  ${detail}\n`);
    } else {
      process.stderr.write(`FAIL  ${result.url}  ${result.error}\n`);
    }
  }
  const notAdded = refused.length > 0 ? `; ${refused.length} configured not added` : "";
  process.stdout.write(
    `${summary.sourcesDue} sources: ${summary.succeeded} ok, ${summary.failed} failed${notAdded}; ${summary.stored} articles stored\n`,
  );
  if (summary.sourcesDue === 0 && refused.length === 0) {
    process.stderr.write(
      "no sources to poll: set EVENTWIRE_SOURCES or EVENTWIRE_SOURCES_FILE, or add one with `eventwire sources add URL`\n",
    );
  }
}

/** An on/off option's value; undefined when the option was not given. */
function onOff(option: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === "on" || value === "true") return true;
  if (value === "off" || value === "false") return false;
  throw new UsageError(`${option} takes on or off (got "${value}")`);
}

async function commandStart(settings: EnvSettings, demo: boolean, log: Log): Promise<void> {
  // Before anything starts: a bad theme file stops `start` with nothing to clean up.
  const themes = configuredThemes(settings);
  const dataDir = settings.DATA_DIR;
  const demoServer = demo
    ? await startDemoFeedServer({ corpus: loadDemoCorpus(), batchSize: DEMO_BATCH, releaseEveryMs: DEMO_RELEASE_SECONDS * 1000 })
    : undefined;
  const admin = loadOrCreateAdminKey(settings.EVENTWIRE_ADMIN_KEY, demo ? null : dataDir);
  let stack: Awaited<ReturnType<typeof startLocalStack>>;
  try {
    stack = await startLocalStack({
      // The demo's receivers are local: webhooks to 127.0.0.1 are allowed there.
      settings: demo ? { ...settings, EVENTWIRE_ALLOW_PRIVATE_URLS: true } : settings,
      host: settings.HOST,
      port: settings.PORT,
      // The demo starts from nothing every time, and leaves nothing behind.
      dataDir: demo ? null : path.join(dataDir, "dynamodb"),
      dynamoEndpoint: settings.DYNAMODB_ENDPOINT,
      tableName: settings.EVENTWIRE_TABLE ?? TABLE_DEFAULT,
      adminKey: admin.key,
      sources: demoServer ? demoServer.feedUrls : sourceUrls(settings),
      themes,
      sourceIntervalSeconds: demoServer ? 10 : undefined,
      scheduleIntervalMs: (demoServer ? 5 : settings.EVENTWIRE_SCHEDULE_SECONDS) * 1000,
      dispatchIntervalMs: (demoServer ? 5 : settings.EVENTWIRE_DISPATCH_SECONDS) * 1000,
      // The demo's corpus is released over minutes: its stories are re-examined as they grow.
      maintenanceIntervalMs: (demoServer ? 60 : settings.EVENTWIRE_MAINTENANCE_SECONDS) * 1000,
      log,
    });
  } catch (error) {
    await demoServer?.close();
    throw error;
  }
  if (!demo) {
    mkdirSync(dataDir, { recursive: true });
    const file: StackFile = { pid: process.pid, dynamoEndpoint: stack.dynamoEndpoint, apiUrl: stack.apiUrl };
    writeFileSync(stackFile(settings), JSON.stringify(file));
  }
  process.stdout.write(
    startBanner({
      apiUrl: stack.apiUrl,
      theme: firstTheme(stack.deps).id,
      dynamoEndpoint: stack.dynamoEndpoint,
      tableName: stack.deps.store.tableName,
      adminKey: demo ? admin.key : `in ${admin.origin}`,
      dataDir: demo ? null : path.resolve(dataDir),
      demo: demoServer
        ? {
            outlets: DEMO_OUTLETS.length,
            feedsUrl: demoServer.feedUrls[0]?.replace(/\/feeds\/.*$/, "") ?? "",
            batch: DEMO_BATCH,
            everySeconds: DEMO_RELEASE_SECONDS,
          }
        : null,
      sources: await stack.deps.store.sources.list(),
      refused: stack.seeded.refused,
      nodeVersion: process.version,
    }),
  );

  await new Promise<void>((resolve) => {
    let stopping = false;
    const shutdown = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info("stopping", { signal });
      void (async () => {
        await stack.stop();
        await demoServer?.close();
        if (!demo) rmSync(stackFile(settings), { force: true });
        resolve();
      })();
    };
    process.once("SIGINT", () => shutdown("SIGINT"));
    process.once("SIGTERM", () => shutdown("SIGTERM"));
  });
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // The SDK's ten-line notice that later releases need Node 22 comes with every command on
  // Node 20; `start` says it in one line of its banner instead (the setting is the SDK's own).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  // The evaluation is pure computation over files: no store, no settings.
  if (command === "eval") return runEvalCommand(rest);
  if (command === "train") return runTrainCommand(rest);
  if (command === "bench") return runBenchCommand(rest);
  if (command === "themes") return runThemesCommand(rest);
  const settings = parseEnv(process.env);
  const log = createLog({ format: settings.EVENTWIRE_LOG_FORMAT ?? "pretty", level: settings.EVENTWIRE_LOG_LEVEL });

  switch (command) {
    case "start": {
      const { values } = parseArgs({ args: rest, options: { demo: { type: "boolean", default: false } }, strict: true });
      await commandStart(settings, values.demo, log);
      return 0;
    }
    case "ingest": {
      const { values } = parseArgs({ args: rest, options: { once: { type: "boolean", default: false } }, strict: true });
      if (!values.once) throw new UsageError("ingest needs --once (the schedule itself runs under `start`)");
      const { summary, refused } = await withDeps(settings, log, async (deps) => {
        const seeded = await seedSources(deps, sourceUrls(settings));
        return { summary: await ingestDueSources(deps, { all: true }), refused: seeded.refused };
      });
      printSummary(summary, refused);
      // Exit 2: the run finished, but some source failed or could not be added.
      return summary.failed > 0 || refused.length > 0 ? 2 : 0;
    }
    case "import-events": {
      const { positionals } = parseArgs({ args: rest, allowPositionals: true, strict: true });
      const file = positionals[0];
      if (file === undefined || positionals.length > 1) throw new UsageError("import-events takes exactly one FILE.jsonl");
      const summary = await withDeps(settings, log, async (deps) => {
        const { groups, unlabelled } = readImportGroups(file, firstTheme(deps).id, deps.now());
        return { ...(await importEvents(deps, groups)), unlabelled };
      });
      process.stdout.write(
        `${summary.events} events: ${summary.imported} articles imported, ${summary.existing} already there` +
          (summary.unlabelled > 0 ? `; ${summary.unlabelled} without an event label left out` : "") +
          "\n",
      );
      return 0;
    }
    case "maintain": {
      const { values } = parseArgs({ args: rest, options: { theme: { type: "string" } }, strict: true });
      const themes = maintainedThemes(values.theme, configuredThemes(settings));
      const { summaries, failed } = await withDeps(settings, log, (deps) => runMaintenance(deps, themes));
      process.stdout.write(summaries.map(formatMaintenance).join(""));
      for (const { themeId, error } of failed)
        process.stderr.write(`eventwire: theme ${themeId}: maintenance failed: ${errorMessage(error)}\n`);
      if (failed.length > 0) return 1;
      return 0;
    }
    case "sources": {
      const [sub, ...args] = rest;
      if (sub === "list") {
        const sources = await withDeps(settings, log, (deps) => deps.store.sources.list());
        if (sources.length === 0) process.stdout.write("no sources yet: add one with `eventwire sources add URL`\n");
        for (const source of sources) {
          const state = !source.enabled
            ? `disabled${source.lastError ? `: ${source.lastError}` : ""}`
            : source.lastError
              ? `failing (${source.consecutiveFailures}): ${source.lastError}`
              : source.lastSuccessAt
                ? `ok at ${source.lastSuccessAt}`
                : "not fetched yet";
          const next = source.enabled ? `; next poll ${source.nextPollAt}` : "";
          process.stdout.write(`${source.id}  ${source.url}  ${state}${next}${source.fullText ? "; full text" : ""}\n`);
        }
        return 0;
      }
      if (sub === "add") {
        const { values, positionals } = parseArgs({
          args,
          options: { title: { type: "string" }, interval: { type: "string" } },
          allowPositionals: true,
          strict: true,
        });
        const url = positionals[0];
        if (url === undefined || positionals.length > 1) throw new UsageError("sources add takes exactly one URL");
        const interval = values.interval === undefined ? undefined : Number(values.interval);
        const result = await withDeps(settings, log, (deps) =>
          addSource(deps, { url, title: values.title, intervalSeconds: interval }),
        );
        if (!result.ok) throw new UsageError(result.error);
        process.stdout.write(`${result.created ? "added" : "already present"}: ${result.source.id}  ${result.source.url}\n`);
        return 0;
      }
      if (sub === "set") {
        const { values, positionals } = parseArgs({
          args,
          options: { "full-text": { type: "string" }, enabled: { type: "string" }, interval: { type: "string" } },
          allowPositionals: true,
          strict: true,
        });
        const id = positionals[0];
        if (id === undefined || positionals.length > 1) throw new UsageError("sources set takes exactly one source id");
        const input = {
          fullText: onOff("--full-text", values["full-text"]),
          enabled: onOff("--enabled", values.enabled),
          intervalSeconds: values.interval === undefined ? undefined : Number(values.interval),
        };
        const result = await withDeps(settings, log, (deps) => configureSource(deps, id, input));
        if (!result.ok) throw new UsageError(result.error);
        const source = result.source;
        process.stdout.write(
          `${source.id}  ${source.url}  enabled ${source.enabled ? "on" : "off"}, full text ${source.fullText ? "on" : "off"}, every ${source.intervalSeconds} s or more\n`,
        );
        return 0;
      }
      throw new UsageError(`unknown sources command "${sub ?? ""}" (add, list, set)`);
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    // Idle keep-alive sockets of fetch would hold the process for seconds after the work is done.
    process.exit(code);
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`eventwire: ${error.message}\n\n${USAGE}\n`);
      process.exitCode = 64;
    } else if (error instanceof EvalInputError) {
      process.stderr.write(`eventwire: ${error.message}\n`);
      process.exitCode = 65;
    } else if (error instanceof ConfigError || error instanceof MissingPrerequisiteError) {
      process.stderr.write(`eventwire: ${error.message}\n`);
      process.exitCode = 78;
    } else if (
      error instanceof Error &&
      error.name === "TypeError" &&
      "code" in error &&
      String(error.code).startsWith("ERR_PARSE_ARGS")
    ) {
      process.stderr.write(`eventwire: ${error.message}\n\n${USAGE}\n`);
      process.exitCode = 64;
    } else {
      process.stderr.write(`eventwire: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
