import type { Log } from "@eventwire/core";
import type { PipelineDeps } from "@eventwire/pipeline";
import type { DynamoClients } from "@eventwire/store";
import { type EnvSettings, parseEnv } from "../config";
import { buildPipelineDeps } from "../deps";

/** The settings a bench process runs with: local endpoints allowed, no request limit, big feeds. */
export function benchSettings(endpoint: string, extra: Record<string, string> = {}): EnvSettings {
  return parseEnv({
    DYNAMODB_ENDPOINT: endpoint,
    EVENTWIRE_ALLOW_PRIVATE_URLS: "true",
    EVENTWIRE_RATE_LIMIT_PER_MINUTE: "0",
    EVENTWIRE_CURSOR_SECRET: "bench-cursor-secret-0123456789",
    EVENTWIRE_MAX_ITEMS_PER_FETCH: "100000",
    EVENTWIRE_MAX_FEED_BYTES: String(100 * 1024 * 1024),
    ...extra,
  });
}

/** A log that keeps quiet but for errors, which the run shows. */
export function quietLog(say: (line: string) => void): Log {
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: (message, fields) => say(`error: ${message} ${JSON.stringify(fields ?? {})}`),
  };
}

/** The product's own deps (as `ingest --once` builds them) over one table of the bench's DynamoDB Local. */
export function benchPipelineDeps(endpoint: string, tableName: string, log: Log): { deps: PipelineDeps; clients: DynamoClients } {
  return buildPipelineDeps({ settings: benchSettings(endpoint), tableName, log });
}
