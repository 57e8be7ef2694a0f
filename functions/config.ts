import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { canonicalizeUrl } from "@eventwire/core";
import { DISPATCH_SCHEDULE_MINUTES, INGEST_SCHEDULE_MINUTES, MAINTENANCE_SCHEDULE_MINUTES } from "@eventwire/pipeline/schedules";
import { en } from "zod/locales";
import * as z from "zod/mini";
import { DEFAULT_SOURCE_URLS } from "./default-sources";

// zod/mini: the functions that parse only their settings carry a small part of zod (the API's
// schemas use the full one). Its checks read as the classic methods do: `z.gte(1)` is `.min(1)`.
z.config(en());

const positiveInt = (fallback: number, max: number) => boundedInt(1, max, fallback);

const optionalText = z.pipe(
  z.optional(z.string()),
  z.transform((value: string | undefined) => (value === undefined || value.trim() === "" ? undefined : value.trim())),
);

const httpUrl = z.optional(z.url({ protocol: /^https?$/ }));

/** Environment variables read by every entry point, with their defaults. */
const ENV_SCHEMA = z.object({
  DYNAMODB_ENDPOINT: z.pipe(optionalText, httpUrl),
  AWS_REGION: optionalText,
  EVENTWIRE_TABLE: z.pipe(
    optionalText,
    z.optional(z.string().check(z.regex(/^[A-Za-z0-9_.-]{3,255}$/, "3 to 255 letters, digits, '_', '-' or '.'"))),
  ),
  EVENTWIRE_ADMIN_KEY: z.pipe(optionalText, z.optional(z.string().check(z.minLength(16, "at least 16 characters")))),
  EVENTWIRE_CURSOR_SECRET: z.pipe(optionalText, z.optional(z.string().check(z.minLength(16, "at least 16 characters")))),
  EVENTWIRE_PUBLIC_URL: z.pipe(optionalText, httpUrl),
  /** Comma- or space-separated feed URLs; set but empty means no sources at all. */
  EVENTWIRE_SOURCES: z.optional(z.string()).check(
    z.superRefine((value: string | undefined, context) => {
      for (const url of splitUrls(value ?? "")) {
        const problem = sourceUrlProblem(url);
        if (problem !== null) context.addIssue({ code: "custom", message: problem });
      }
    }),
  ),
  /** A file of feed URLs, one a line (read by `sourceUrls`); deployed, the ingest function's copy. */
  EVENTWIRE_SOURCES_FILE: optionalText,
  /**
   * The themes followed: built-in ids, theme files and folders of them, comma-separated (read by
   * `configuredThemes`, themes-config.ts); unset, the default themes. Deployed, the functions' copies.
   */
  EVENTWIRE_THEMES: z.optional(z.string()),
  EVENTWIRE_FETCH_TIMEOUT_MS: positiveInt(15_000, 300_000),
  EVENTWIRE_MAX_FEED_BYTES: positiveInt(5 * 1024 * 1024, 100 * 1024 * 1024),
  EVENTWIRE_INGEST_CONCURRENCY: positiveInt(4, 64),
  /** Redirects followed per request; 0 follows none. */
  EVENTWIRE_MAX_REDIRECTS: boundedInt(0, 20, 5),
  /** New articles stored per source and fetch, newest first; the rest wait for the next poll. */
  EVENTWIRE_MAX_ITEMS_PER_FETCH: positiveInt(500, 100_000),
  /** Article pages fetched per source and fetch, for sources with full text on. */
  EVENTWIRE_FULL_TEXT_PER_FETCH: boundedInt(0, 1000, 10),
  /** Seconds over which the deployed schedule spreads the starts of a tick's polls (SQS delay). */
  EVENTWIRE_INGEST_SPREAD_SECONDS: boundedInt(0, 900, 60),
  /** Attempts per DynamoDB request, the first included (the SDK's standard retry mode backs off between them). */
  EVENTWIRE_DYNAMO_MAX_ATTEMPTS: positiveInt(6, 20),
  EVENTWIRE_FEED_LIMIT: positiveInt(50, 500),
  EVENTWIRE_CACHE_MAX_AGE: boundedInt(0, 86_400, 60),
  /**
   * Seconds the API process serves a rendered feed or JSON read from memory before it reads the
   * table again (never longer than EVENTWIRE_CACHE_MAX_AGE); 0 turns this cache off.
   */
  EVENTWIRE_RESPONSE_CACHE_SECONDS: boundedInt(0, 3_600, 5),
  /** Most items one API request reads while filtering a listing. */
  EVENTWIRE_FILTER_READ_LIMIT: boundedInt(20, 10_000, 500),
  /** Requests per minute a client regains; 0 turns the limit off. */
  EVENTWIRE_RATE_LIMIT_PER_MINUTE: boundedInt(0, 100_000, 120),
  /** Requests a client may make at once before the rate applies. */
  EVENTWIRE_RATE_LIMIT_BURST: positiveInt(60, 100_000),
  /** Let webhook endpoints (and later sources) resolve to loopback and private addresses: local receivers only. */
  EVENTWIRE_ALLOW_PRIVATE_URLS: z.pipe(
    z.optional(z.enum(["true", "false", "1", "0", ""], { error: "true or false" })),
    z.transform((value) => value === "true" || value === "1"),
  ),
  EVENTWIRE_WEBHOOK_TIMEOUT_MS: positiveInt(10_000, 60_000),
  EVENTWIRE_WEBHOOK_CONCURRENCY: positiveInt(4, 64),
  EVENTWIRE_CONTACT_URL: z.pipe(optionalText, httpUrl),
  EVENTWIRE_LOG_FORMAT: z.optional(z.enum(["json", "pretty"])),
  /** The least important log entries shown; `debug` adds a line per poll and per quiet run. */
  EVENTWIRE_LOG_LEVEL: z._default(z.enum(["debug", "info", "warn", "error"]), "info"),
  // The local runner's own settings.
  PORT: boundedInt(0, 65_535, 8787),
  HOST: z.pipe(optionalText, z._default(z.string(), "127.0.0.1")),
  DATA_DIR: z.pipe(optionalText, z._default(z.string(), ".data")),
  /** Period of the local ingest schedule; defaults to the deployed schedule's. */
  EVENTWIRE_SCHEDULE_SECONDS: positiveInt(INGEST_SCHEDULE_MINUTES * 60, 86_400),
  /** Period of the local dispatcher schedule (it also runs after every ingest). */
  EVENTWIRE_DISPATCH_SECONDS: positiveInt(DISPATCH_SCHEDULE_MINUTES * 60, 86_400),
  /** Period of the local maintenance schedule (a pass also follows an ingest run that stored many articles). */
  EVENTWIRE_MAINTENANCE_SECONDS: positiveInt(MAINTENANCE_SCHEDULE_MINUTES * 60, 7 * 86_400),
});

export type EnvSettings = z.output<typeof ENV_SCHEMA>;

function boundedInt(min: number, max: number, fallback: number) {
  return z._default(z.coerce.number().check(z.int(), z.gte(min), z.lte(max)), fallback);
}

/** Every environment variable the functions read. */
export const ENV_NAMES: readonly string[] = Object.keys(ENV_SCHEMA.shape);

/** A configuration problem, worded for the operator who set the variable. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Validates the environment; a bad value is a ConfigError naming the variable and the value. */
export function parseEnv(env: Record<string, string | undefined>): EnvSettings {
  const result = ENV_SCHEMA.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? "?");
    return `${name}=${JSON.stringify(env[name] ?? "")}: ${issue.message}`;
  });
  throw new ConfigError(`invalid configuration: ${problems.join("; ")}`);
}

function splitUrls(list: string): string[] {
  return list.split(/[\s,]+/).filter((url) => url !== "");
}

/** Why `url` cannot be a source, or null when it can. */
function sourceUrlProblem(url: string): string | null {
  return canonicalizeUrl(url) === null ? `"${url}" is not an absolute http(s) URL` : null;
}

/**
 * The feed URLs of a sources file: one a line; blank lines and lines starting with `#` are
 * skipped. A line that is not one absolute http(s) URL is a ConfigError naming `origin` and the line.
 */
export function parseSourceList(text: string, origin: string): string[] {
  const urls: string[] = [];
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const problem = /\s/.test(line) ? `"${line}" is more than one URL (one a line)` : sourceUrlProblem(line);
    if (problem !== null) throw new ConfigError(`${origin} line ${index + 1}: ${problem}`);
    urls.push(line);
  }
  return urls;
}

/**
 * The source URLs to seed: those of the file EVENTWIRE_SOURCES_FILE names (relative to `baseDir`),
 * else EVENTWIRE_SOURCES when set (even to nothing), else the defaults. Setting both is an error.
 */
export function sourceUrls(settings: EnvSettings, baseDir = process.cwd()): string[] {
  const file = settings.EVENTWIRE_SOURCES_FILE;
  if (file !== undefined) {
    if (settings.EVENTWIRE_SOURCES !== undefined)
      throw new ConfigError("EVENTWIRE_SOURCES and EVENTWIRE_SOURCES_FILE are both set: set one");
    const full = path.resolve(baseDir, file);
    let text: string;
    try {
      text = readFileSync(full, "utf8");
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String(error);
      throw new ConfigError(`EVENTWIRE_SOURCES_FILE=${JSON.stringify(file)}: cannot read ${full}: ${reason}`);
    }
    return parseSourceList(text, `EVENTWIRE_SOURCES_FILE ${full}`);
  }
  if (settings.EVENTWIRE_SOURCES === undefined) return [...DEFAULT_SOURCE_URLS];
  return splitUrls(settings.EVENTWIRE_SOURCES);
}

/** The cursor-signing key: configured, else derived from the admin key so all instances agree. */
export function cursorSecret(settings: EnvSettings, adminKey: string | null): string {
  if (settings.EVENTWIRE_CURSOR_SECRET !== undefined) return settings.EVENTWIRE_CURSOR_SECRET;
  if (adminKey !== null) return createHmac("sha256", adminKey).update("eventwire cursor key").digest("base64url");
  throw new ConfigError("EVENTWIRE_CURSOR_SECRET or an admin key is needed to seal pagination cursors");
}

export const VERSION = "0.1.0";

export function userAgent(settings: EnvSettings): string {
  const contact = settings.EVENTWIRE_CONTACT_URL ? `; +${settings.EVENTWIRE_CONTACT_URL}` : "";
  return `eventwire/${VERSION} (feed reader${contact})`;
}
