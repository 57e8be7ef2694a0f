import { createHmac } from "node:crypto";
import { canonicalizeUrl } from "@eventwire/core";
import { DISPATCH_SCHEDULE_MINUTES, INGEST_SCHEDULE_MINUTES } from "@eventwire/pipeline";
import * as z from "zod";
import { DEFAULT_SOURCE_URLS } from "./default-sources";

const positiveInt = (fallback: number, max: number) => z.coerce.number().int().min(1).max(max).default(fallback);

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === "" ? undefined : value.trim()));

/** Environment variables read by every entry point, with their defaults. */
const ENV_SCHEMA = z.object({
  DYNAMODB_ENDPOINT: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
  AWS_REGION: optionalText,
  EVENTWIRE_TABLE: optionalText.pipe(
    z
      .string()
      .regex(/^[A-Za-z0-9_.-]{3,255}$/, "3 to 255 letters, digits, '_', '-' or '.'")
      .optional(),
  ),
  EVENTWIRE_ADMIN_KEY: optionalText.pipe(z.string().min(16, "at least 16 characters").optional()),
  EVENTWIRE_CURSOR_SECRET: optionalText.pipe(z.string().min(16, "at least 16 characters").optional()),
  EVENTWIRE_PUBLIC_URL: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
  /** Comma- or space-separated feed URLs; set but empty means no sources at all. */
  EVENTWIRE_SOURCES: z
    .string()
    .optional()
    .superRefine((value, context) => {
      for (const url of splitUrls(value ?? "")) {
        if (canonicalizeUrl(url) === null)
          context.addIssue({ code: "custom", message: `"${url}" is not an absolute http(s) URL` });
      }
    }),
  EVENTWIRE_FETCH_TIMEOUT_MS: positiveInt(15_000, 300_000),
  EVENTWIRE_MAX_FEED_BYTES: positiveInt(5 * 1024 * 1024, 100 * 1024 * 1024),
  EVENTWIRE_INGEST_CONCURRENCY: positiveInt(4, 64),
  /** Redirects followed per request; 0 follows none. */
  EVENTWIRE_MAX_REDIRECTS: z.coerce.number().int().min(0).max(20).default(5),
  /** New articles stored per source and fetch, newest first; the rest wait for the next poll. */
  EVENTWIRE_MAX_ITEMS_PER_FETCH: positiveInt(500, 100_000),
  /** Article pages fetched per source and fetch, for sources with full text on. */
  EVENTWIRE_FULL_TEXT_PER_FETCH: z.coerce.number().int().min(0).max(1000).default(10),
  /** Seconds over which the deployed schedule spreads the starts of a tick's polls (SQS delay). */
  EVENTWIRE_INGEST_SPREAD_SECONDS: z.coerce.number().int().min(0).max(900).default(60),
  /** Attempts per DynamoDB request, the first included (the SDK's standard retry mode backs off between them). */
  EVENTWIRE_DYNAMO_MAX_ATTEMPTS: positiveInt(6, 20),
  EVENTWIRE_FEED_LIMIT: positiveInt(50, 500),
  EVENTWIRE_CACHE_MAX_AGE: z.coerce.number().int().min(0).max(86_400).default(60),
  /** Most items one API request reads while filtering a listing. */
  EVENTWIRE_FILTER_READ_LIMIT: z.coerce.number().int().min(20).max(10_000).default(500),
  /** Requests per minute a client regains; 0 turns the limit off. */
  EVENTWIRE_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).max(100_000).default(120),
  /** Requests a client may make at once before the rate applies. */
  EVENTWIRE_RATE_LIMIT_BURST: positiveInt(60, 100_000),
  /** Let webhook endpoints (and later sources) resolve to loopback and private addresses: local receivers only. */
  EVENTWIRE_ALLOW_PRIVATE_URLS: z
    .enum(["true", "false", "1", "0", ""], { error: "true or false" })
    .optional()
    .transform((value) => value === "true" || value === "1"),
  EVENTWIRE_WEBHOOK_TIMEOUT_MS: positiveInt(10_000, 60_000),
  EVENTWIRE_WEBHOOK_CONCURRENCY: positiveInt(4, 64),
  EVENTWIRE_CONTACT_URL: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
  EVENTWIRE_LOG_FORMAT: z.enum(["json", "pretty"]).optional(),
  // The local runner's own settings.
  PORT: z.coerce.number().int().min(0).max(65_535).default(8787),
  HOST: optionalText.pipe(z.string().default("127.0.0.1")),
  DATA_DIR: optionalText.pipe(z.string().default(".data")),
  /** Period of the local ingest schedule; defaults to the deployed schedule's. */
  EVENTWIRE_SCHEDULE_SECONDS: positiveInt(INGEST_SCHEDULE_MINUTES * 60, 86_400),
  /** Period of the local dispatcher schedule (it also runs after every ingest). */
  EVENTWIRE_DISPATCH_SECONDS: positiveInt(DISPATCH_SCHEDULE_MINUTES * 60, 86_400),
});

export type EnvSettings = z.output<typeof ENV_SCHEMA>;

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

/** The source URLs to seed: EVENTWIRE_SOURCES when set (even to nothing), else the defaults. */
export function sourceUrls(settings: EnvSettings): string[] {
  if (settings.EVENTWIRE_SOURCES === undefined) return [...DEFAULT_SOURCE_URLS];
  return splitUrls(settings.EVENTWIRE_SOURCES);
}

/** The cursor-signing key: configured, else derived from the admin key so all instances agree. */
export function cursorSecret(settings: EnvSettings, adminKey: string | null): string {
  if (settings.EVENTWIRE_CURSOR_SECRET !== undefined) return settings.EVENTWIRE_CURSOR_SECRET;
  if (adminKey !== null) return createHmac("sha256", adminKey).update("eventwire cursor key").digest("base64url");
  throw new ConfigError("EVENTWIRE_CURSOR_SECRET or an admin key is needed to sign pagination cursors");
}

export const VERSION = "0.1.0";

export function userAgent(settings: EnvSettings): string {
  const contact = settings.EVENTWIRE_CONTACT_URL ? `; +${settings.EVENTWIRE_CONTACT_URL}` : "";
  return `eventwire/${VERSION} (feed reader${contact})`;
}
