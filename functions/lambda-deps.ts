import type { ApiDeps, ClientAddress } from "@eventwire/api";
import type { PipelineDeps } from "@eventwire/pipeline";
import { ConfigError, type EnvSettings, parseEnv } from "./config";
import { buildApiDeps, buildPipelineDeps } from "./deps";
import { linkedAdminKey, linkedTableName } from "./linked";
import { createLog } from "./log";

function common() {
  const settings = parseEnv(process.env);
  const tableName = linkedTableName() ?? settings.EVENTWIRE_TABLE;
  if (tableName === undefined) {
    throw new ConfigError("no table: link the Table resource (infra/table.ts) or set EVENTWIRE_TABLE");
  }
  return { settings, tableName, log: createLog(settings.EVENTWIRE_LOG_FORMAT ?? "json") };
}

/**
 * Dependencies of the ingest and dispatch functions, built once per container. The table comes from the SST
 * link, else EVENTWIRE_TABLE; anything missing or malformed is a ConfigError naming it.
 */
export function pipelineLambdaDeps(): { deps: PipelineDeps; settings: EnvSettings } {
  const input = common();
  return { deps: buildPipelineDeps(input).deps, settings: input.settings };
}

/**
 * Dependencies of the API function: also the admin key (SST secret, else EVENTWIRE_ADMIN_KEY) and
 * how to read the caller's address, which the handler's adapter knows (so Hono's Lambda adapter
 * stays out of the other functions).
 */
export function apiLambdaDeps(clientAddress: ClientAddress): ApiDeps {
  const input = common();
  const adminKey = linkedAdminKey() ?? input.settings.EVENTWIRE_ADMIN_KEY ?? null;
  return buildApiDeps({ ...input, adminKey, clientAddress }).deps;
}
