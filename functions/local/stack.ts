import { type ApiDeps, createApp } from "@eventwire/api";
import { errorMessage, type Log, MAINTENANCE_LIMITS, type ThemeDefinition } from "@eventwire/core";
import {
  dispatchDeliveries,
  type IngestRunSummary,
  ingestDueSources,
  maintainThemes,
  type SeedSourcesResult,
  seedSources,
  webhookSenderFor,
} from "@eventwire/pipeline";
import { ensureTable, withChangeListener } from "@eventwire/store";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { EnvSettings } from "../config";
import { buildApiDeps, ingestInProcess } from "../deps";
import { type DynamoLocal, startDynamoLocal } from "./dynamo-local";
import { listen } from "./http-server";
import { singleFlight, startSchedule } from "./schedule";

export type LocalStackOptions = {
  settings: EnvSettings;
  host: string;
  port: number;
  /** Where DynamoDB Local keeps its data; null keeps it in memory. Ignored with `dynamoEndpoint`. */
  dataDir: string | null;
  /** Use a DynamoDB that is already running instead of starting one. */
  dynamoEndpoint?: string | undefined;
  tableName: string;
  adminKey: string | null;
  sources: readonly string[];
  /** The themes followed, when the caller has loaded them already (else from `settings`: EVENTWIRE_THEMES). */
  themes?: readonly ThemeDefinition[];
  sourceIntervalSeconds?: number | undefined;
  /** Period of the ingest schedule; null runs no schedule. */
  scheduleIntervalMs: number | null;
  /** Period of the dispatcher's own schedule (it also runs after each ingest); null runs none. */
  dispatchIntervalMs?: number | null;
  /**
   * Period of the maintenance schedule; null runs none. A pass also follows every ingest run
   * (scheduled, or the admin route's) that stored `MAINTENANCE_LIMITS.afterStored` articles or more.
   */
  maintenanceIntervalMs?: number | null;
  /**
   * Whether the dispatcher runs as soon as ingest commits changes (ingest tells it in this
   * process), so they are sent while a long ingest run is still going; false: it runs only
   * after each ingest run and on its schedule, as deployed. Default true.
   */
  followCommits?: boolean;
  log: Log;
};

export type LocalStack = {
  apiUrl: string;
  dynamoEndpoint: string;
  deps: ApiDeps;
  /** What adding the configured sources did: the ones kept failing, the ones refused. */
  seeded: SeedSourcesResult;
  stop(): Promise<void>;
};

/**
 * The whole product on one machine: DynamoDB Local (embedded), the table, the configured
 * sources, the Hono app on host:port and the ingest schedule. `stop` undoes it in reverse.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const { log } = options;
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        log.error("shutdown step failed", { error: errorMessage(error) });
      }
    }
  };
  try {
    let endpoint = options.dynamoEndpoint;
    if (endpoint === undefined) {
      const dynamo: DynamoLocal = await startDynamoLocal({ dataDir: options.dataDir });
      cleanups.push(() => dynamo.stop());
      endpoint = dynamo.endpoint;
      log.info("DynamoDB Local started", { endpoint, data: options.dataDir ?? "in memory" });
    }
    const { deps, clients } = buildApiDeps({
      settings: { ...options.settings, DYNAMODB_ENDPOINT: endpoint },
      tableName: options.tableName,
      adminKey: options.adminKey,
      themes: options.themes,
      log,
      clientAddress: (c) => getConnInfo(c).remote.address,
      // One process holds everything here: the admin routes run the pipeline themselves.
      ingest: ingestInProcess,
    });
    cleanups.push(async () => clients.client.destroy());
    let committed = () => {};
    if (options.followCommits ?? true) {
      // On AWS the ingest worker asks the dispatch queue once its run has ended; here one
      // process holds both, so each write that may have made changes tells the dispatcher at
      // once (a write that made none costs it one look at the outbox).
      deps.store = withChangeListener(deps.store, () => committed());
      // The admin routes' runs commit through this store too, so they wake the dispatcher.
      deps.ingest = ingestInProcess(deps);
    }
    const table = await ensureTable(clients.client, options.tableName);
    if (table.created) log.info("table created", { table: options.tableName });
    const seeded = await seedSources(deps, options.sources, options.sourceIntervalSeconds);
    if (seeded.created > 0) log.info("sources added", { count: seeded.created });

    const server = await listen(createApp(deps).fetch, options.host, options.port);
    cleanups.push(() => server.close());
    // Links in webhook messages point at this server unless EVENTWIRE_PUBLIC_URL says otherwise.
    deps.config.webhooks.linkBaseUrl ??= server.url;
    const sender = webhookSenderFor(deps);
    cleanups.push(() => sender.close());

    // As deployed: the dispatcher runs right after each ingest, and on its own schedule. Here
    // its runs never overlap (a call during a run asks for one more after it).
    const dispatcher = singleFlight(() => dispatchDeliveries(deps));
    cleanups.push(() => dispatcher.idle());
    // One pass at a time (each theme's in turn); its decisions' messages go out at once.
    const maintainer = singleFlight(async () => {
      const { summaries } = await maintainThemes(
        deps,
        deps.config.themes.map((theme) => theme.id),
      );
      if (summaries.some((summary) => summary.decisions.length > 0)) await dispatcher.run();
    });
    cleanups.push(() => maintainer.idle());
    const afterIngest = async (summary: IngestRunSummary) => {
      if (summary.stored >= MAINTENANCE_LIMITS.afterStored) await maintainer.run();
    };
    const ingestThenDispatch = async () => {
      const summary = await ingestDueSources(deps);
      await dispatcher.run();
      await afterIngest(summary);
      return summary;
    };
    // The admin route's runs are ingest runs too; it answers without waiting for the pass.
    const inProcess = deps.ingest;
    deps.ingest = {
      ...inProcess,
      runDue: async () => {
        const summary = await inProcess.runDue();
        afterIngest(summary).catch((error: unknown) => log.error("maintenance run failed", { error: errorMessage(error) }));
        return summary;
      },
    };
    if (options.scheduleIntervalMs !== null) {
      const schedule = startSchedule("ingest", ingestThenDispatch, options.scheduleIntervalMs, log);
      cleanups.push(() => schedule.stop());
    }
    if (options.dispatchIntervalMs !== undefined && options.dispatchIntervalMs !== null) {
      const dispatch = startSchedule("dispatch", () => dispatcher.run(), options.dispatchIntervalMs, log);
      cleanups.push(() => dispatch.stop());
    }
    if (options.maintenanceIntervalMs !== undefined && options.maintenanceIntervalMs !== null) {
      const maintenance = startSchedule("maintenance", () => maintainer.run(), options.maintenanceIntervalMs, log);
      cleanups.push(() => maintenance.stop());
    }
    committed = () => {
      dispatcher.run().catch((error: unknown) => log.error("dispatch run failed", { error: errorMessage(error) }));
    };
    // Stopping: a write still under way (an admin run) no longer starts a dispatch run once the
    // dispatcher has been waited for and the webhook client closed (this runs before both).
    cleanups.push(async () => {
      committed = () => {};
    });
    return { apiUrl: server.url, dynamoEndpoint: endpoint, deps, seeded, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
