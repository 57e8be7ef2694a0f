import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { bundleProblems } from "../functions/bundle-manifest";
import { splitThemeList } from "../functions/theme-list";
import { BUNDLE_HANDLER, BUNDLE_ROOT, bundleDir, LAMBDA_HANDLERS, type LambdaName, lambdaSizing } from "./bundles";

/** What a deploy reads besides infra/: the project root (SST's `$cli.paths.root`) and the shell's environment. */
export type DeployInput = { root: string; env: Record<string, string | undefined> };

/** The deploy's own input, as SST runs infra/. */
export function deployInput(): DeployInput {
  return { root: $cli.paths.root, env: process.env };
}

// Settings taken from the shell that runs `sst deploy` (docs/configuration.md), in groups by
// what reads them. The admin key is not among them: it is the AdminKey secret.
/** Every function reads and writes the table, and logs. */
const STORE = ["EVENTWIRE_DYNAMO_MAX_ATTEMPTS", "EVENTWIRE_LOG_LEVEL"] as const;
/** The guard on the addresses of feeds and webhook endpoints: wherever one is added or reached. */
const URL_GUARD = ["EVENTWIRE_ALLOW_PRIVATE_URLS"] as const;
/** Fetching feeds and article pages (the ingest worker). */
const FETCH = [
  "EVENTWIRE_FETCH_TIMEOUT_MS",
  "EVENTWIRE_MAX_FEED_BYTES",
  "EVENTWIRE_MAX_REDIRECTS",
  "EVENTWIRE_MAX_ITEMS_PER_FETCH",
  "EVENTWIRE_FULL_TEXT_PER_FETCH",
  "EVENTWIRE_INGEST_CONCURRENCY",
  "EVENTWIRE_CONTACT_URL",
] as const;
/** Sending webhooks: the dispatcher, and the API's ping and retry routes. Links in payloads use the public URL. */
const SEND = [
  "EVENTWIRE_WEBHOOK_TIMEOUT_MS",
  "EVENTWIRE_WEBHOOK_CONCURRENCY",
  "EVENTWIRE_PUBLIC_URL",
  "EVENTWIRE_CONTACT_URL",
] as const;
/** Serving feeds, pages and the JSON API. */
const SERVE = [
  "EVENTWIRE_PUBLIC_URL",
  "EVENTWIRE_FEED_LIMIT",
  "EVENTWIRE_CACHE_MAX_AGE",
  "EVENTWIRE_RESPONSE_CACHE_SECONDS",
  "EVENTWIRE_FILTER_READ_LIMIT",
  "EVENTWIRE_RATE_LIMIT_PER_MINUTE",
  "EVENTWIRE_RATE_LIMIT_BURST",
] as const;
/** Spreading a tick's queue messages (the scheduled ingest function). */
const SCHEDULE = ["EVENTWIRE_INGEST_SPREAD_SECONDS"] as const;

/**
 * The deploy-shell settings each function reads, forwarded to it alone when set there: every
 * value lands in the function's environment, which Lambda caps at 4 KB.
 */
export const SETTINGS_READ: Record<LambdaName, readonly string[]> = {
  api: [...new Set([...STORE, ...URL_GUARD, ...SERVE, ...SEND])],
  ingest: [...STORE, ...URL_GUARD, ...SCHEDULE],
  "ingest-worker": [...STORE, ...URL_GUARD, ...FETCH],
  dispatch: [...STORE, ...URL_GUARD, ...SEND],
  // Reads and writes the table; its messages are made and sent by the dispatcher.
  maintain: [...STORE],
};

/** Every setting some function reads, once. */
export const FORWARDED_SETTINGS: readonly string[] = [...new Set(Object.values(SETTINGS_READ).flat())];

/** The most a function's environment may take: Lambda measures the variables written as one JSON object. */
export const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4096;

/**
 * What SST adds to every function's environment (`SST_RESOURCE_App` naming the app and stage,
 * `SST_KEY`, `SST_KEY_FILE`: about 140 bytes with a 10-letter stage), with room to spare.
 */
export const SST_ENVIRONMENT_BYTES = 256;

/** The bytes Lambda counts for an environment. */
export function environmentBytes(environment: Record<string, string>): number {
  return Buffer.byteLength(JSON.stringify(environment));
}

/** A function's environment: JSON logs, its heap bound (infra/bundles.ts) and the settings it reads that the deploy shell sets. */
export function functionEnvironment(name: LambdaName, env: DeployInput["env"]): Record<string, string> {
  const environment: Record<string, string> = { EVENTWIRE_LOG_FORMAT: "json", NODE_OPTIONS: lambdaSizing(name).nodeOptions };
  for (const setting of SETTINGS_READ[name]) {
    const value = env[setting];
    if (value !== undefined) environment[setting] = value;
  }
  return environment;
}

/** The name of the sources file in the ingest function's package, and so its EVENTWIRE_SOURCES_FILE there. */
export const DEPLOYED_SOURCES_FILE = "sources.txt";

/**
 * The sources file the deploy ships with the ingest function (EVENTWIRE_SOURCES_FILE in the deploy
 * shell, relative to the project root), as SST's `copyFiles` entry; null when none is set, and
 * the ingest function then seeds the default sources. EVENTWIRE_SOURCES is refused: a long list
 * would not fit in an environment.
 */
export function shippedSourcesFile(deploy: DeployInput): { from: string; to: string } | null {
  if (deploy.env.EVENTWIRE_SOURCES !== undefined) {
    throw new Error(
      "EVENTWIRE_SOURCES is set, but it is not deployed (a function's environment holds 4 KB at most): " +
        "write the feed URLs to a file, one a line, and deploy with EVENTWIRE_SOURCES_FILE=FILE, " +
        "or add them after the deploy with POST /api/v1/sources",
    );
  }
  const file = deploy.env.EVENTWIRE_SOURCES_FILE?.trim();
  if (file === undefined || file === "") return null;
  const full = path.resolve(deploy.root, file);
  if (statSync(full, { throwIfNoEntry: false })?.isFile() !== true)
    throw new Error(`EVENTWIRE_SOURCES_FILE=${JSON.stringify(file)}: ${full} is not a file`);
  // SST reads `from` relative to the project root.
  return { from: path.relative(deploy.root, full), to: DEPLOYED_SOURCES_FILE };
}

/** The folder of every function's package that the deploy's theme files go to. */
export const DEPLOYED_THEMES_DIR = "themes";

/** A theme id (packages/core/src/themes.ts): an entry of this form that names no file is a built-in theme's id. */
const THEME_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** A file SST copies into a function's package (`copyFiles`), `from` relative to the project root. */
type CopiedFile = { from: string; to: string };

/**
 * The themes the deploy ships with every function (EVENTWIRE_THEMES in the deploy shell, paths
 * relative to the project root): a built-in theme's id is kept as it is; a theme file, and each
 * `*.json` file of a folder in name order, is copied into the package as `themes/NN-name.json`,
 * numbered so the order holds, and the functions' EVENTWIRE_THEMES names the copies (read from
 * the task root, functions/themes-config.ts). Null when unset: the functions follow the default
 * themes. What the files hold is checked by each function at start; `themes check` checks it
 * before a deploy.
 */
export function shippedThemes(deploy: DeployInput): { setting: string; copyFiles: CopiedFile[] } | null {
  const list = deploy.env.EVENTWIRE_THEMES;
  if (list === undefined) return null;
  const entries = splitThemeList(list);
  if (entries.length === 0)
    throw new Error("EVENTWIRE_THEMES is set but names no theme: name ids, theme files or folders, or unset it");
  const setting: string[] = [];
  const copyFiles: CopiedFile[] = [];
  for (const entry of entries) {
    const full = path.resolve(deploy.root, entry);
    const stat = statSync(full, { throwIfNoEntry: false });
    if (stat === undefined) {
      if (!THEME_ID.test(entry)) throw new Error(`EVENTWIRE_THEMES: "${entry}": no such file or folder: ${full}`);
      setting.push(entry);
      continue;
    }
    const files = stat.isDirectory()
      ? readdirSync(full)
          .filter((name) => name.endsWith(".json"))
          .sort()
          .map((name) => path.join(full, name))
      : [full];
    if (files.length === 0) throw new Error(`EVENTWIRE_THEMES: the folder ${entry} (${full}) holds no .json theme file`);
    for (const file of files) {
      const to = `${DEPLOYED_THEMES_DIR}/${String(copyFiles.length + 1).padStart(2, "0")}-${path.basename(file)}`;
      copyFiles.push({ from: path.relative(deploy.root, file), to });
      setting.push(to);
    }
  }
  return { setting: setting.join(","), copyFiles };
}

/**
 * The arguments every eventwire function is declared with: Node 22 on arm64, the folder
 * `npm run build` wrote for it deployed as it is (SST's `bundle`: SST bundles nothing itself, so
 * what is measured is what ships, source maps never among it) with the files it reads (the sources
 * file, the theme files), its memory, and its environment,
 * refused when it would not fit Lambda's 4 KB.
 */
export function lambdaFunction(name: LambdaName, deploy: DeployInput = deployInput()) {
  const sources = name === "ingest" ? shippedSourcesFile(deploy) : null;
  // Every function builds the pipeline's deps, and so reads the themes.
  const themes = shippedThemes(deploy);
  const environment = functionEnvironment(name, deploy.env);
  if (sources !== null) environment.EVENTWIRE_SOURCES_FILE = DEPLOYED_SOURCES_FILE;
  if (themes !== null) environment.EVENTWIRE_THEMES = themes.setting;
  const copyFiles = [...(sources === null ? [] : [sources]), ...(themes?.copyFiles ?? [])];
  const bytes = environmentBytes(environment);
  if (bytes + SST_ENVIRONMENT_BYTES > LAMBDA_ENVIRONMENT_LIMIT_BYTES) {
    const largest = Object.entries(environment)
      .sort((a, b) => b[1].length - a[1].length)
      .slice(0, 3)
      .map(([key, value]) => `${key} (${value.length} characters)`);
    throw new Error(
      `the ${name} function's environment takes ${bytes} bytes, and SST adds up to ${SST_ENVIRONMENT_BYTES}: ` +
        `over Lambda's ${LAMBDA_ENVIRONMENT_LIMIT_BYTES}. Largest: ${largest.join(", ")}`,
    );
  }
  return {
    runtime: "nodejs22.x" as const,
    architecture: "arm64" as const,
    bundle: bundleDir(path.join(deploy.root, BUNDLE_ROOT), name),
    handler: BUNDLE_HANDLER,
    memory: `${lambdaSizing(name).memoryMb} MB` as const,
    environment,
    ...(copyFiles.length === 0 ? {} : { copyFiles }),
  };
}

/**
 * Stops the deploy unless the bundles `npm run build` wrote under `dist/` are all there, hold
 * nothing else (no source map), and were built from the code as it is now.
 */
export function requireBuiltBundles(root: string = deployInput().root): void {
  const names = LAMBDA_HANDLERS.map((entry) => entry.name);
  const problems = bundleProblems(root, path.join(root, BUNDLE_ROOT), names);
  if (problems.length > 0) {
    throw new Error(
      `the Lambda bundles under ${BUNDLE_ROOT}/ cannot be deployed: ${problems.join("; ")}. ` +
        "Build them with `npm run build` (`npm run deploy -- --stage …` builds, then deploys).",
    );
  }
}

/** What a function consuming a queue it is subscribed to by ARN needs on it (as SST grants a subscriber it creates). */
export const QUEUE_CONSUMER_ACTIONS = [
  "sqs:ChangeMessageVisibility",
  "sqs:DeleteMessage",
  "sqs:GetQueueAttributes",
  "sqs:GetQueueUrl",
  "sqs:ReceiveMessage",
] as const;

/** SQS keeps a message at most this long: 14 days. */
export const MAX_RETENTION_SECONDS = 14 * 24 * 60 * 60;

/**
 * A dead-letter queue's arguments: its messages kept 14 days, SQS's most (SST sets no retention,
 * and SQS's own default is 4 days). A message's age counts from when it was first sent to the
 * queue it failed in, not from its move, so it stays 14 days less the time it spent there.
 */
export const DEAD_LETTER_QUEUE = { transform: { queue: { messageRetentionSeconds: MAX_RETENTION_SECONDS } } } as const;
