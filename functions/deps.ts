import {
  type ApiDeps,
  type ClientAddress,
  createMemoryRateLimiter,
  createResponseCache,
  type IngestRunner,
  type PreparedBody,
  type RateLimiter,
  type ResponseCache,
} from "@eventwire/api";
import { errorMessage, type Log, SHIPPED_MODEL, type ThemeDefinition } from "@eventwire/core";
import {
  createGuardedFetch,
  createMatcherRegistry,
  createUrlGuard,
  ingestDueSources,
  type PipelineDeps,
  refreshSource,
} from "@eventwire/pipeline";
import { createDynamoClients, createStore, type DynamoClients, withChangeListener } from "@eventwire/store";
import { cursorSecret, type EnvSettings, userAgent, VERSION } from "./config";
import { productionPlanner } from "./planner";
import { configuredThemes } from "./themes-config";

/** `themes`: the deployment's themes when the caller has loaded them already; else they are loaded here (EVENTWIRE_THEMES). */
export type DepsInput = { settings: EnvSettings; tableName: string; log: Log; themes?: readonly ThemeDefinition[] };

/** Builds what the use cases need: one DynamoDB client, one store, the validated settings and themes. */
export function buildPipelineDeps({ settings, tableName, log, themes: loaded }: DepsInput): {
  deps: PipelineDeps;
  clients: DynamoClients;
} {
  // Before any client exists: a bad theme file stops the start with nothing to clean up.
  const themes = loaded ?? configuredThemes(settings);
  const clients = createDynamoClients({
    endpoint: settings.DYNAMODB_ENDPOINT,
    region: settings.AWS_REGION,
    maxAttempts: settings.EVENTWIRE_DYNAMO_MAX_ATTEMPTS,
  });
  // Feed sources are URLs users give us, as webhook endpoints are: the same guard judges them
  // when added, before every request and redirect hop, and on the address each connection
  // actually reaches (so a name re-pointed at a private address is caught).
  const sourceGuard = createUrlGuard({ allowPrivate: settings.EVENTWIRE_ALLOW_PRIVATE_URLS, target: "sources" });
  const deps: PipelineDeps = {
    store: createStore(clients, tableName),
    fetch: createGuardedFetch(sourceGuard.lookup),
    guard: (url) => sourceGuard.check(url),
    now: () => new Date(),
    random: Math.random,
    log,
    matchers: createMatcherRegistry(),
    planner: productionPlanner(),
    config: {
      themes,
      model: SHIPPED_MODEL,
      fetchTimeoutMs: settings.EVENTWIRE_FETCH_TIMEOUT_MS,
      maxFeedBytes: settings.EVENTWIRE_MAX_FEED_BYTES,
      userAgent: userAgent(settings),
      ingestConcurrency: settings.EVENTWIRE_INGEST_CONCURRENCY,
      webhooks: {
        allowPrivateUrls: settings.EVENTWIRE_ALLOW_PRIVATE_URLS,
        timeoutMs: settings.EVENTWIRE_WEBHOOK_TIMEOUT_MS,
        concurrencyPerEndpoint: settings.EVENTWIRE_WEBHOOK_CONCURRENCY,
        linkBaseUrl: settings.EVENTWIRE_PUBLIC_URL ?? null,
      },
      maxRedirects: settings.EVENTWIRE_MAX_REDIRECTS,
      maxItemsPerFetch: settings.EVENTWIRE_MAX_ITEMS_PER_FETCH,
      fullTextPerFetch: settings.EVENTWIRE_FULL_TEXT_PER_FETCH,
    },
  };
  return { deps, clients };
}

/** The per-client request limit of the settings, or null when it is off. */
function rateLimiter(settings: EnvSettings, now: () => Date): RateLimiter | null {
  if (settings.EVENTWIRE_RATE_LIMIT_PER_MINUTE === 0) return null;
  return createMemoryRateLimiter(
    { capacity: settings.EVENTWIRE_RATE_LIMIT_BURST, refillPerSecond: settings.EVENTWIRE_RATE_LIMIT_PER_MINUTE / 60 },
    now,
  );
}

// Bounds of the API's response cache: a feed page is about 100 KB, a JSON listing less.
const RESPONSE_CACHE_ENTRIES = 1_000;
const RESPONSE_CACHE_BYTES = 32 * 1024 * 1024;

/**
 * The API's deps with a cache of rendered answers fresh for `seconds` (capped by the max-age they
 * advertise; 0: no cache), over a store whose writes drop the answers they make stale. Writes
 * made in this process (the local stack's ingest, the API's refresh routes) therefore show at
 * once; another process's writes (a separate ingest function on AWS) once the freshness runs out.
 */
export function withResponseCache<D extends Omit<ApiDeps, "ingest">>(deps: D, seconds: number): D {
  const freshMs = Math.min(seconds, deps.config.cacheMaxAgeSeconds) * 1000;
  if (freshMs === 0) return { ...deps, responseCache: null };
  const cache: ResponseCache<PreparedBody> = createResponseCache({
    freshMs,
    maxEntries: RESPONSE_CACHE_ENTRIES,
    maxBytes: RESPONSE_CACHE_BYTES,
    now: () => deps.now().getTime(),
    onRefreshError: (key, error) => deps.log.warn("refreshing a cached answer failed", { key, error: errorMessage(error) }),
  });
  return { ...deps, store: withChangeListener(deps.store, (theme) => cache.invalidate(theme)), responseCache: cache };
}

/**
 * The admin routes' ingestion run by the pipeline in this process (the local stack, tests). Give
 * it the deps whose store the API reads through, so its writes drop the cached answers they stale.
 */
export function ingestInProcess(deps: PipelineDeps): IngestRunner {
  return {
    runDue: () => ingestDueSources(deps),
    refreshSource: (sourceId) => refreshSource(deps, sourceId),
  };
}

/**
 * The pipeline's deps plus what the HTTP app needs: the admin key, cursor signing, the request
 * limit keyed by `clientAddress` (which the runtime, Node or Lambda, knows how to read), and the
 * admin routes' ingestion, which `ingest` builds from the finished deps: `ingestInProcess` locally,
 * the worker's invocation on AWS (chosen by the caller, so the API's bundle holds only its own).
 */
export function buildApiDeps(
  input: DepsInput & {
    adminKey: string | null;
    clientAddress: ClientAddress;
    ingest: (deps: Omit<ApiDeps, "ingest">) => IngestRunner;
  },
): {
  deps: ApiDeps;
  clients: DynamoClients;
} {
  const { deps, clients } = buildPipelineDeps(input);
  const apiDeps: Omit<ApiDeps, "ingest"> = {
    ...deps,
    rateLimiter: rateLimiter(input.settings, deps.now),
    clientAddress: input.clientAddress,
    config: {
      ...deps.config,
      adminKey: input.adminKey,
      cursorSecret: cursorSecret(input.settings, input.adminKey),
      publicUrl: input.settings.EVENTWIRE_PUBLIC_URL ?? null,
      feedLimit: input.settings.EVENTWIRE_FEED_LIMIT,
      cacheMaxAgeSeconds: input.settings.EVENTWIRE_CACHE_MAX_AGE,
      filterReadLimit: input.settings.EVENTWIRE_FILTER_READ_LIMIT,
      version: VERSION,
    },
  };
  const cached = withResponseCache(apiDeps, input.settings.EVENTWIRE_RESPONSE_CACHE_SECONDS);
  return { clients, deps: { ...cached, ingest: input.ingest(cached) } };
}
