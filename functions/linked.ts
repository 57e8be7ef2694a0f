import { Resource } from "sst/resource";
import { z } from "zod";
import { ConfigError } from "./config";

/**
 * Names of the resources infra/ links to the functions. infra/ declares its components under
 * these names and the contract test checks that both sides agree.
 */
export const LINKED = { table: "Table", adminKey: "AdminKey", dispatchQueue: "DispatchQueue" } as const;

const TABLE_LINK = z.object({ name: z.string().min(3) });
const QUEUE_LINK = z.object({ url: z.string().min(1) });
const SECRET_LINK = z.object({ value: z.string().min(16, "at least 16 characters") });

function lookup(name: string): unknown {
  // `in` does not throw when SST links are absent, where reading a missing name would.
  return name in Resource ? (Resource as unknown as Record<string, unknown>)[name] : undefined;
}

/** The table name SST linked to this function, if any. */
export function linkedTableName(): string | undefined {
  const raw = lookup(LINKED.table);
  if (raw === undefined) return undefined;
  const parsed = TABLE_LINK.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`linked resource ${LINKED.table} has no table name`);
  return parsed.data.name;
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
  const raw = lookup(LINKED.dispatchQueue);
  if (raw === undefined) return undefined;
  const parsed = QUEUE_LINK.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`linked resource ${LINKED.dispatchQueue} has no queue URL`);
  return parsed.data.url;
}
