/// <reference path="./.sst/platform/config.d.ts" />

// eventwire on AWS: one DynamoDB table, the HTTP API on a Lambda function URL, the ingest
// schedule (EventBridge) sending one SQS message per due source to a worker function (with a
// dead-letter queue; the API invokes the same worker for its admin ingest routes), the webhook
// dispatcher (an SQS queue with a dead-letter queue, fed by the worker, and a schedule), and the
// admin key as an SST secret.
// Deploy: `npx sst secret set AdminKey <key> --stage prod`, then `npx sst deploy --stage prod`.
export default $config({
  app(input) {
    return {
      name: "eventwire",
      home: "aws",
      removal: input?.stage === "production" ? "retain" : "remove",
      protect: input?.stage === "production",
    };
  },
  async run() {
    const { table } = await import("./infra/table");
    await import("./infra/secrets");
    const { api } = await import("./infra/api");
    await import("./infra/dispatch");
    await import("./infra/queue");
    await import("./infra/cron");
    return { api: api.url, table: table.name };
  },
});
