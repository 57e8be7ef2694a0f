import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { parseEnv } from "../../functions/config";
import { type LocalStack, startLocalStack } from "../../functions/local/stack";
import { createLog } from "../../functions/log";

const INTEROP_ADMIN_KEY = "interop-admin-key-0123456789";

/**
 * The local stack as the interop suites run it: on the suite's DynamoDB Local, a table of its own,
 * no schedule (a suite ingests when it is ready), feeds of `pageSize` items, and sources on
 * 127.0.0.1 (which the URL guard lets through only with EVENTWIRE_ALLOW_PRIVATE_URLS).
 */
export function startInteropStack(sources: string[], pageSize: number): Promise<LocalStack> {
  return startLocalStack({
    settings: parseEnv({ EVENTWIRE_FEED_LIMIT: String(pageSize), EVENTWIRE_ALLOW_PRIVATE_URLS: "true" }),
    host: "127.0.0.1",
    port: 0,
    dataDir: null,
    dynamoEndpoint: inject("dynamoEndpoint"),
    tableName: `interop-${randomBytes(4).toString("hex")}`,
    adminKey: INTEROP_ADMIN_KEY,
    sources,
    scheduleIntervalMs: null,
    log: createLog("json", () => undefined),
  });
}

/** Runs one ingest of every source through the admin route; its HTTP status. */
export async function ingestNow(stack: LocalStack): Promise<number> {
  const run = await fetch(`${stack.apiUrl}/api/v1/ingest/run`, {
    method: "POST",
    headers: { authorization: `Bearer ${INTEROP_ADMIN_KEY}` },
  });
  await run.arrayBuffer();
  return run.status;
}
