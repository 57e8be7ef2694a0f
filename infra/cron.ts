import { INGEST_SCHEDULE_EXPRESSION } from "../packages/pipeline/src/schedule";
import { FUNCTION_DEFAULTS } from "./functions";
import { ingestQueue } from "./queue";
import { table } from "./table";

/** The ingest schedule: every few minutes, one message per due source on the ingest queue. */
export const ingest = new sst.aws.Cron("Ingest", {
  schedule: INGEST_SCHEDULE_EXPRESSION,
  function: {
    ...FUNCTION_DEFAULTS,
    handler: "functions/ingest.handler",
    memory: "256 MB",
    // Lists the sources and sends messages; well under the schedule's period.
    timeout: "1 minute",
    link: [table, ingestQueue],
  },
});
