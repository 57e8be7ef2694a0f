import type { ApiDeps } from "@eventwire/api";
import type { PipelineDeps } from "@eventwire/pipeline";
import { getConnInfo } from "hono/aws-lambda";
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

/** Dependencies of the API function: also the admin key (SST secret, else EVENTWIRE_ADMIN_KEY). */
export function apiLambdaDeps(): ApiDeps {
  const input = common();
  const adminKey = linkedAdminKey() ?? input.settings.EVENTWIRE_ADMIN_KEY ?? null;
  // Function URLs and API Gateway give the caller's address (behind a CDN it is the CDN's).
  return buildApiDeps({ ...input, adminKey, clientAddress: (c) => getConnInfo(c).remote.address }).deps;
}
