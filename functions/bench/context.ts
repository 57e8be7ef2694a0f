import { createDynamoClients, ensureTable } from "@eventwire/store";
import { type DynamoLocal, startDynamoLocal } from "../local/dynamo-local";

/** Named figures one benchmark module measured. */
export type BenchFigures = Record<string, number>;

/** What every benchmark module gets: the run's mode, a shared DynamoDB Local, and a way to report. */
export type BenchContext = {
  /** Shorter runs and smaller inputs (the smoke test); figures are rougher. */
  quick: boolean;
  /** Prints one progress line (to stderr with --json, so stdout ends with the JSON object). */
  say(line: string): void;
  /** The run's DynamoDB Local (in memory), started on first use. */
  dynamo(): Promise<string>;
  /** A new, empty table on the run's DynamoDB Local. */
  freshTable(prefix: string): Promise<{ endpoint: string; tableName: string }>;
  /** Load duration for the HTTP figures, in seconds. */
  loadSeconds: number;
  /** The `year` module's size as a share of a full year (--year-scale); null: its default. */
  yearScale: number | null;
};

/** Builds the context of one run; `close` stops what it started. */
export function createBenchContext(options: {
  quick: boolean;
  say: (line: string) => void;
  yearScale?: number | null;
}): BenchContext & {
  close(): Promise<void>;
} {
  let dynamo: Promise<DynamoLocal> | undefined;
  let tables = 0;
  const context = {
    quick: options.quick,
    say: options.say,
    loadSeconds: options.quick ? 1 : 20,
    yearScale: options.yearScale ?? null,
    async dynamo() {
      dynamo ??= startDynamoLocal({ dataDir: null });
      return (await dynamo).endpoint;
    },
    async freshTable(prefix: string) {
      const endpoint = await context.dynamo();
      tables += 1;
      const tableName = `bench-${prefix}-${tables}`;
      const { client } = createDynamoClients({ endpoint, region: "local" });
      try {
        await ensureTable(client, tableName);
      } finally {
        client.destroy();
      }
      return { endpoint, tableName };
    },
    async close() {
      if (dynamo !== undefined) await (await dynamo).stop();
    },
  };
  return context;
}

/** The p-th percentile (0–100) of a list of numbers, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

/** The middle of a list of numbers (the upper middle of an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
}
