import { type LambdaName, lambdaSizing, SST_NODEJS } from "./bundles";

/**
 * Settings taken from the shell that runs `sst deploy` and handed to every function when set
 * (README, "Configuration"). The admin key is not among them: it is the AdminKey secret.
 */
export const FORWARDED_SETTINGS = [
  "EVENTWIRE_SOURCES",
  "EVENTWIRE_PUBLIC_URL",
  "EVENTWIRE_CONTACT_URL",
  "EVENTWIRE_FETCH_TIMEOUT_MS",
  "EVENTWIRE_MAX_FEED_BYTES",
  "EVENTWIRE_INGEST_CONCURRENCY",
  "EVENTWIRE_MAX_REDIRECTS",
  "EVENTWIRE_MAX_ITEMS_PER_FETCH",
  "EVENTWIRE_FULL_TEXT_PER_FETCH",
  "EVENTWIRE_INGEST_SPREAD_SECONDS",
  "EVENTWIRE_DYNAMO_MAX_ATTEMPTS",
  "EVENTWIRE_FEED_LIMIT",
  "EVENTWIRE_CACHE_MAX_AGE",
  "EVENTWIRE_RESPONSE_CACHE_SECONDS",
  "EVENTWIRE_FILTER_READ_LIMIT",
  "EVENTWIRE_RATE_LIMIT_PER_MINUTE",
  "EVENTWIRE_RATE_LIMIT_BURST",
  "EVENTWIRE_ALLOW_PRIVATE_URLS",
  "EVENTWIRE_WEBHOOK_TIMEOUT_MS",
  "EVENTWIRE_WEBHOOK_CONCURRENCY",
  "EVENTWIRE_LOG_LEVEL",
] as const;

function forwardedSettings(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of FORWARDED_SETTINGS) {
    const value = process.env[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** Settings every eventwire function shares; `nodejs` bundles as `npm run build` does (infra/bundles.ts). */
export const FUNCTION_DEFAULTS = {
  runtime: "nodejs22.x",
  nodejs: SST_NODEJS,
  architecture: "arm64",
  environment: { EVENTWIRE_LOG_FORMAT: "json", ...forwardedSettings() },
} as const;

/** The memory and environment of one function: FUNCTION_DEFAULTS with its memory and heap bound (infra/bundles.ts). */
export function functionSettings(name: LambdaName) {
  const { memoryMb, nodeOptions } = lambdaSizing(name);
  return {
    ...FUNCTION_DEFAULTS,
    memory: `${memoryMb} MB` as const,
    environment: { ...FUNCTION_DEFAULTS.environment, NODE_OPTIONS: nodeOptions },
  };
}
