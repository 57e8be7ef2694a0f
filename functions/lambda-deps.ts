import { type ApiDeps, ApiError, type ClientAddress, type IngestRunner } from "@eventwire/api";
import type { PipelineDeps } from "@eventwire/pipeline";
import { ConfigError, type EnvSettings, parseEnv } from "./config";
import { buildApiDeps, buildPipelineDeps } from "./deps";
import { LINKED, linkedAdminKey, linkedIngestWorkerName, linkedTableName } from "./linked";
import { createLog } from "./log";
import { createWorkerClient, invokeIngestWorker } from "./remote-ingest";

/**
 * How long the API waits for the ingest worker: under the API function's own timeout (30 s,
 * infra/api.ts), so a slow run answers 504 rather than the function being cut off.
 */
export const INGEST_INVOKE_TIMEOUT_MS = 25_000;

function common() {
  const settings = parseEnv(process.env);
  const tableName = linkedTableName() ?? settings.EVENTWIRE_TABLE;
  if (tableName === undefined) {
    throw new ConfigError("no table: link the Table resource (infra/table.ts) or set EVENTWIRE_TABLE");
  }
  return {
    settings,
    tableName,
    log: createLog({ format: settings.EVENTWIRE_LOG_FORMAT ?? "json", level: settings.EVENTWIRE_LOG_LEVEL }),
  };
}

/**
 * Dependencies of the ingest and dispatch functions, built once per container. The table comes from the SST
 * link, else EVENTWIRE_TABLE; anything missing or malformed is a ConfigError naming it.
 */
export function pipelineLambdaDeps(): { deps: PipelineDeps; settings: EnvSettings } {
  const input = common();
  return { deps: buildPipelineDeps(input).deps, settings: input.settings };
}

/** Without a linked worker the admin ingest routes answer 503; everything else still serves. */
const NO_WORKER: IngestRunner = {
  runDue: () => Promise.reject(noWorker()),
  refreshSource: () => Promise.reject(noWorker()),
};

function noWorker(): ApiError {
  return new ApiError(
    503,
    "unavailable",
    `ingestion is off here: no ingest worker is linked to this function (${LINKED.ingestWorker})`,
  );
}

/**
 * Dependencies of the API function: also the admin key (SST secret, else EVENTWIRE_ADMIN_KEY), how
 * to read the caller's address, which the handler's adapter knows (so Hono's Lambda adapter stays
 * out of the other functions), and the admin routes' ingestion, which the linked ingest worker
 * runs (a synchronous invocation; see remote-ingest.ts).
 */
export function apiLambdaDeps(clientAddress: ClientAddress): ApiDeps {
  const input = common();
  const adminKey = linkedAdminKey() ?? input.settings.EVENTWIRE_ADMIN_KEY ?? null;
  const functionName = linkedIngestWorkerName();
  return buildApiDeps({
    ...input,
    adminKey,
    clientAddress,
    ingest: (deps) => {
      if (functionName === undefined) return NO_WORKER;
      return invokeIngestWorker({
        client: createWorkerClient({ region: input.settings.AWS_REGION, timeoutMs: INGEST_INVOKE_TIMEOUT_MS }),
        functionName,
        timeoutMs: INGEST_INVOKE_TIMEOUT_MS,
        log: deps.log,
        // The worker wrote through its own store: this process's cached answers may be stale.
        onAnswer: () => {
          for (const theme of deps.config.themes) deps.responseCache?.invalidate(theme.id);
        },
      });
    },
  }).deps;
}
