import { afterAll, afterEach, beforeAll, vi } from "vitest";
import { createTestDeps, type TestDeps } from "./deps";
import { type TestStore, useTestTables } from "./store";
import { startWebhookReceiver, type WebhookReceiver } from "./webhook-receiver";

/** Deps over a table whose webhooks may reach 127.0.0.1 (the test receivers). */
export function localDeps(table: TestStore): TestDeps {
  const deps = createTestDeps(table.store);
  deps.config.webhooks = { ...deps.config.webhooks, allowPrivateUrls: true };
  return deps;
}

/**
 * What a test file of webhooks needs, its hooks registered: `setup` gives a fresh table, deps
 * over it whose webhooks may reach 127.0.0.1, and a real receiver that verifies signatures with
 * the standardwebhooks library against the deps' clock. That library compares the message's
 * timestamp with Date.now(): the file fakes Date alone (timers stay real) and the receiver moves
 * it to the deps' clock, so hours of retries take no time. Receivers pushed to `receivers` are
 * closed after each test; the tables are dropped at the end.
 */
export function useWebhookTables() {
  const { freshTable } = useTestTables();
  const receivers: WebhookReceiver[] = [];
  beforeAll(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
  });
  afterAll(() => {
    vi.useRealTimers();
  });
  afterEach(async () => {
    for (const receiver of receivers.splice(0)) await receiver.close();
  });
  async function setup(options: { delayMs?: number } = {}) {
    const table = await freshTable();
    const deps = localDeps(table);
    const receiver = await startWebhookReceiver({ beforeVerify: () => vi.setSystemTime(deps.now()), ...options });
    receivers.push(receiver);
    return { table, deps, receiver };
  }
  return { setup, freshTable, receivers };
}
