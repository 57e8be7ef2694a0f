import { FUNCTION_DEFAULTS } from "./functions";
import { adminKey } from "./secrets";
import { table } from "./table";

/** The Hono app (feeds, JSON API, management routes) behind a public function URL. */
export const api = new sst.aws.Function("Api", {
  ...FUNCTION_DEFAULTS,
  handler: "functions/api.handler",
  url: true,
  memory: "512 MB",
  timeout: "30 seconds",
  link: [table, adminKey],
});
