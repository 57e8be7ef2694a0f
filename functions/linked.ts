import { Resource } from "sst/resource";
import * as z from "zod/mini";
import { ConfigError } from "./config";

/**
 * Names of the resources infra/ links to the functions. infra/ declares its components under
 * these names and the contract test checks that both sides agree.
 */
export const LINKED = {
  table: "Table",
  adminKey: "AdminKey",
  ingestQueue: "IngestQueue",
  dispatchQueue: "DispatchQueue",
  maintainQueue: "MaintainQueue",
  ingestWorker: "IngestWorker",
} as const;

// zod/mini, as in config.ts (which also sets its English messages).
const TABLE_LINK = z.object({ name: z.string().check(z.minLength(3)) });
const SECRET_LINK = z.object({ value: z.string().check(z.minLength(16, "at least 16 characters")) });
const QUEUE_LINK = z.object({ url: z.url() });
const FUNCTION_LINK = z.object({ name: z.string().check(z.minLength(1)) });

function lookup(name: string): unknown {
  // `in` does not throw when SST links are absent, where reading a missing name would.
  return name in Resource ? (Resource as unknown as Record<string, unknown>)[name] : undefined;
}

/** A linked resource read with its schema; `missing` names what it lacks when it does not fit. */
function linked<T>(name: string, schema: z.ZodMiniType<T>, missing: string): T | undefined {
  const raw = lookup(name);
  if (raw === undefined) return undefined;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`linked resource ${name} has no ${missing}`);
  return parsed.data;
}

/** The table name SST linked to this function, if any. */
export function linkedTableName(): string | undefined {
  return linked(LINKED.table, TABLE_LINK, "table name")?.name;
}

/** The admin key SST linked to this function, if any. */
export function linkedAdminKey(): string | undefined {
  const raw = lookup(LINKED.adminKey);
  if (raw === undefined) return undefined;
  const parsed = SECRET_LINK.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      `secret ${LINKED.adminKey}: ${parsed.error.issues[0]?.message ?? "invalid"} (sst secret set ${LINKED.adminKey} …)`,
    );
  }
  return parsed.data.value;
}

/** The URL of the queue that triggers the dispatcher, when SST linked it to this function. */
export function linkedDispatchQueueUrl(): string | undefined {
  return linked(LINKED.dispatchQueue, QUEUE_LINK, "queue URL")?.url;
}

/** The URL of the queue that asks for a maintenance pass, when SST linked it to this function (the ingest worker). */
export function linkedMaintainQueueUrl(): string | undefined {
  return linked(LINKED.maintainQueue, QUEUE_LINK, "queue URL")?.url;
}

/** The URL of the ingest queue SST linked to this function, if any. */
export function linkedIngestQueueUrl(): string | undefined {
  return linked(LINKED.ingestQueue, QUEUE_LINK, "queue URL")?.url;
}

/** The name of the ingest worker function SST linked to this function (the API), if any. */
export function linkedIngestWorkerName(): string | undefined {
  return linked(LINKED.ingestWorker, FUNCTION_LINK, "function name")?.name;
}
