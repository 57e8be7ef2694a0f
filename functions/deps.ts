import type { ApiDeps } from "@eventwire/api";
import { DEFAULT_THEME_ID, DEFAULT_THEMES, findTheme, type Log, SHIPPED_MODEL, type ThemeDefinition } from "@eventwire/core";
import { createMatcherRegistry, type PipelineDeps } from "@eventwire/pipeline";
import { createDynamoClients, createStore, type DynamoClients } from "@eventwire/store";
import { cursorSecret, type EnvSettings, userAgent, VERSION } from "./config";

export type DepsInput = { settings: EnvSettings; tableName: string; log: Log };

/** Builds what the use cases need: one DynamoDB client, one store, the validated settings. */
export function buildPipelineDeps({ settings, tableName, log }: DepsInput): { deps: PipelineDeps; clients: DynamoClients } {
  const clients = createDynamoClients({ endpoint: settings.DYNAMODB_ENDPOINT, region: settings.AWS_REGION });
  const deps: PipelineDeps = {
    store: createStore(clients, tableName),
    fetch: globalThis.fetch,
    now: () => new Date(),
    random: Math.random,
    log,
    matchers: createMatcherRegistry(),
    config: {
      theme: findTheme(DEFAULT_THEMES, DEFAULT_THEME_ID) as ThemeDefinition,
      model: SHIPPED_MODEL,
      fetchTimeoutMs: settings.EVENTWIRE_FETCH_TIMEOUT_MS,
      maxFeedBytes: settings.EVENTWIRE_MAX_FEED_BYTES,
      userAgent: userAgent(settings),
      ingestConcurrency: settings.EVENTWIRE_INGEST_CONCURRENCY,
    },
  };
  return { deps, clients };
}

/** The pipeline's deps plus what the HTTP app needs: the admin key and cursor signing. */
export function buildApiDeps(input: DepsInput & { adminKey: string | null }): { deps: ApiDeps; clients: DynamoClients } {
  const { deps, clients } = buildPipelineDeps(input);
  return {
    clients,
    deps: {
      ...deps,
      config: {
        ...deps.config,
        themes: DEFAULT_THEMES,
        adminKey: input.adminKey,
        cursorSecret: cursorSecret(input.settings, input.adminKey),
        publicUrl: input.settings.EVENTWIRE_PUBLIC_URL ?? null,
        feedLimit: input.settings.EVENTWIRE_FEED_LIMIT,
        cacheMaxAgeSeconds: input.settings.EVENTWIRE_CACHE_MAX_AGE,
        version: VERSION,
      },
    },
  };
}
