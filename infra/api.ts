import { lambdaFunction } from "./functions";
import { ingestWorker } from "./queue";
import { adminKey } from "./secrets";
import { table } from "./table";

/**
 * The Hono app (feeds, JSON API, management routes) behind a public function URL. Linked to the
 * ingest worker (its name, and the permission to invoke it): the admin ingest routes run there.
 */
export const api = new sst.aws.Function("Api", {
  ...lambdaFunction("api"),
  url: true,
  // Longer than the wait for the worker (INGEST_INVOKE_TIMEOUT_MS, functions/lambda-deps.ts).
  timeout: "30 seconds",
  link: [table, adminKey, ingestWorker],
});
