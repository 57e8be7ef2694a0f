/// <reference path="./.sst/platform/config.d.ts" />

// eventwire on AWS: one DynamoDB table, the HTTP API on a Lambda function URL, the ingest
// schedule (EventBridge Scheduler) sending one SQS message per due source to a worker function
// (with a dead-letter queue; the API invokes the same worker for its admin ingest routes), the
// webhook dispatcher (fed by an SQS queue with a dead-letter queue, which the worker feeds, and
// by a schedule), the maintenance pass (hourly, and on a queue the worker feeds once many articles
// are stored), and the admin key as an SST secret. Every function deploys the folder
// `npm run build` wrote for it under dist/ (infra/functions.ts).
// Deploy (docs/deploying.md): the stage that keeps its data is `production`.
//   npx sst secret set AdminKey <key> --stage production
//   npm run deploy -- --stage production
export default $config({
  app(input) {
    const stage = input?.stage;
    // The production stage has one name; a near miss would deploy without its protection.
    if (stage !== undefined && stage !== "production" && /^(prod|prd|live|production)$/i.test(stage)) {
      throw new Error(`stage "${stage}": the production stage is named "production" (it keeps its data on removal)`);
    }
    return {
      name: "eventwire",
      home: "aws",
      removal: stage === "production" ? "retain" : "remove",
      protect: stage === "production",
    };
  },
  async run() {
    // Before anything is declared: the bundles must be built, whole, and from the code as it is.
    const { requireBuiltBundles } = await import("./infra/functions");
    requireBuiltBundles();
    const { table } = await import("./infra/table");
    await import("./infra/secrets");
    const { api } = await import("./infra/api");
    await import("./infra/dispatch");
    await import("./infra/maintain");
    await import("./infra/queue");
    await import("./infra/cron");
    return { api: api.url, table: table.name };
  },
});
