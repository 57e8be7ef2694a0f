/**
 * The year's API in a node process of its own (see `startYearApi`): `node --import tsx
 * year-api-child.ts ENDPOINT TABLE`. It prints `{"apiUrl": …}` once it listens, and stops when
 * its stdin closes.
 */
import { startLocalStack } from "../local/stack";
import { benchSettings, quietLog } from "./pipeline-deps";

const [endpoint, tableName] = process.argv.slice(2);
if (endpoint === undefined || tableName === undefined) throw new Error("usage: year-api-child.ts ENDPOINT TABLE");
const stack = await startLocalStack({
  // Its response cache off: every request reads the table, which is what a year in it changes.
  settings: benchSettings(endpoint, { EVENTWIRE_RESPONSE_CACHE_SECONDS: "0" }),
  host: "127.0.0.1",
  port: 0,
  dataDir: null,
  dynamoEndpoint: endpoint,
  tableName,
  adminKey: null,
  sources: [],
  scheduleIntervalMs: null,
  dispatchIntervalMs: null,
  maintenanceIntervalMs: null,
  followCommits: false,
  log: quietLog((line) => process.stderr.write(`${line}\n`)),
});
process.stdout.write(`${JSON.stringify({ apiUrl: stack.apiUrl })}\n`);
process.stdin.on("end", () => {
  void stack.stop().then(() => process.exit(0));
});
process.stdin.resume();
