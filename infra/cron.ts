import { INGEST_SCHEDULE_EXPRESSION } from "../packages/pipeline/src/schedule";
import { FUNCTION_DEFAULTS } from "./functions";
import { dispatchQueue } from "./queue";
import { table } from "./table";

/** The ingest schedule: every few minutes, poll the sources that are due. */
export const ingest = new sst.aws.Cron("Ingest", {
  schedule: INGEST_SCHEDULE_EXPRESSION,
  function: {
    ...FUNCTION_DEFAULTS,
    handler: "functions/ingest.handler",
    memory: "1024 MB",
    // A run polls many sources with bounded concurrency; well under the schedule's period.
    timeout: "4 minutes",
    link: [table, dispatchQueue],
  },
});
