import type { ApiDeps } from "@eventwire/api";
import { DEFAULT_THEME_ID, DEFAULT_THEMES, type Log } from "@eventwire/core";
import { createDynamoClients, createStore, type DynamoClients } from "@eventwire/store";
import { cursorSecret, type EnvSettings, userAgent, VERSION } from "./config";

export type DepsInput = {
  settings: EnvSettings;
  tableName: string;
  adminKey: string | null;
  log: Log;
};

export type BuiltDeps = { deps: ApiDeps; clients: DynamoClients };

/** Builds the dependencies every entry point passes down: one DynamoDB client, one store. */
export function buildDeps({ settings, tableName, adminKey, log }: DepsInput): BuiltDeps {
  const clients = createDynamoClients({ endpoint: settings.DYNAMODB_ENDPOINT, region: settings.AWS_REGION });
  const deps: ApiDeps = {
    store: createStore(clients, tableName),
    fetch: globalThis.fetch,
    now: () => new Date(),
    random: Math.random,
    log,
    config: {
      themes: DEFAULT_THEMES,
      defaultTheme: DEFAULT_THEME_ID,
      fetchTimeoutMs: settings.EVENTWIRE_FETCH_TIMEOUT_MS,
      maxFeedBytes: settings.EVENTWIRE_MAX_FEED_BYTES,
      userAgent: userAgent(settings),
      ingestConcurrency: settings.EVENTWIRE_INGEST_CONCURRENCY,
      storeConcurrency: 8,
      adminKey,
      cursorSecret: cursorSecret(settings, adminKey),
      publicUrl: settings.EVENTWIRE_PUBLIC_URL ?? null,
      feedLimit: settings.EVENTWIRE_FEED_LIMIT,
      cacheMaxAgeSeconds: settings.EVENTWIRE_CACHE_MAX_AGE,
      version: VERSION,
    },
  };
  return { deps, clients };
}
