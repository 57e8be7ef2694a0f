import type { ApiDeps } from "@eventwire/api";
import { ConfigError, type EnvSettings, parseEnv } from "./config";
import { buildDeps } from "./deps";
import { linkedAdminKey, linkedTableName } from "./linked";
import { createLog } from "./log";

export type LambdaDeps = { deps: ApiDeps; settings: EnvSettings };

let cached: LambdaDeps | undefined;

/**
 * Dependencies for a Lambda entry, built on the first invocation of a container and kept for
 * the next ones. The table and the admin key come from SST links, else from EVENTWIRE_TABLE and
 * EVENTWIRE_ADMIN_KEY; anything missing or malformed is a ConfigError naming it.
 */
export function lambdaDeps(): LambdaDeps {
  if (cached !== undefined) return cached;
  const settings = parseEnv(process.env);
  const tableName = linkedTableName() ?? settings.EVENTWIRE_TABLE;
  if (tableName === undefined) {
    throw new ConfigError("no table: link the Table resource (infra/table.ts) or set EVENTWIRE_TABLE");
  }
  const adminKey = linkedAdminKey() ?? settings.EVENTWIRE_ADMIN_KEY ?? null;
  const log = createLog(settings.EVENTWIRE_LOG_FORMAT ?? "json");
  cached = { deps: buildDeps({ settings, tableName, adminKey, log }).deps, settings };
  return cached;
}
