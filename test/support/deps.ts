import type { ApiConfig, ApiDeps } from "@eventwire/api";
import { DEFAULT_THEMES, type Log, SHIPPED_MODEL } from "@eventwire/core";
import { createGuardedFetch, createMatcherRegistry, createUrlGuard } from "@eventwire/pipeline";
import type { CommitMatchesInput, CommitOutcome, Store } from "@eventwire/store";
import { ingestInProcess } from "../../functions/deps";

type LogEntry = { level: "debug" | "info" | "warn" | "error"; message: string; fields: Record<string, unknown> };

/** A clock the test moves by hand. */
export class TestClock {
  constructor(private current: Date) {}
  now = (): Date => new Date(this.current);
  set(date: Date | string): void {
    this.current = new Date(date);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export const TEST_ADMIN_KEY = "test-admin-key-0123456789";

export type TestDeps = ApiDeps & { clock: TestClock; logs: LogEntry[] };

/** Deps over a real store with a fixed clock, a recording log and no randomness. */
export function createTestDeps(store: Store, config: Partial<ApiConfig> = {}, start = "2026-05-04T10:00:00Z"): TestDeps {
  const clock = new TestClock(new Date(start));
  const logs: LogEntry[] = [];
  const record =
    (level: LogEntry["level"]) =>
    (message: string, fields: Record<string, unknown> = {}) => {
      logs.push({ level, message, fields });
    };
  const log: Log = { debug: record("debug"), info: record("info"), warn: record("warn"), error: record("error") };
  const deps: Omit<TestDeps, "ingest"> = {
    store,
    // The client production fetches feeds with; the test servers are on 127.0.0.1, so private
    // addresses are allowed at connect time (the guard under test is `deps.guard`).
    fetch: createGuardedFetch(createUrlGuard({ allowPrivate: true }).lookup),
    now: clock.now,
    random: () => 0.5,
    matchers: createMatcherRegistry(),
    // Maintenance passes decide nothing unless a test gives them a planner of its own.
    planner: () => [],
    log,
    clock,
    logs,
    config: {
      themes: DEFAULT_THEMES,
      model: SHIPPED_MODEL,
      fetchTimeoutMs: 5_000,
      maxFeedBytes: 1024 * 1024,
      userAgent: "eventwire-test",
      ingestConcurrency: 3,
      webhooks: { allowPrivateUrls: false, timeoutMs: 5_000, concurrencyPerEndpoint: 4, linkBaseUrl: "https://eventwire.test" },
      adminKey: TEST_ADMIN_KEY,
      cursorSecret: "test-cursor-secret-0123456789",
      publicUrl: null,
      feedLimit: 50,
      cacheMaxAgeSeconds: 60,
      filterReadLimit: 500,
      version: "test",
      ...config,
    },
  };
  // As the local stack wires it: the admin routes run the pipeline in this process.
  return { ...deps, ingest: ingestInProcess(deps) };
}

/** The same deps, with every match commit passing through `around`, which may delay, count or refuse it. */
export function aroundCommits(
  deps: TestDeps,
  around: (input: CommitMatchesInput, commit: (input: CommitMatchesInput) => Promise<CommitOutcome>) => Promise<CommitOutcome>,
): TestDeps {
  const events = deps.store.events;
  const wrapped: Omit<TestDeps, "ingest"> = {
    ...deps,
    store: {
      ...deps.store,
      events: { ...events, commitMatches: (input) => around(input, (passed) => events.commitMatches(passed)) },
    },
  };
  // The admin routes' ingestion commits through the wrapped store too.
  return { ...wrapped, ingest: ingestInProcess(wrapped) };
}
