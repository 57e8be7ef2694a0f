import { INGEST_SCHEDULE_EXPRESSION } from "../packages/pipeline/src/schedule";
import { functionSettings } from "./functions";
import { ingestQueue } from "./queue";
import { table } from "./table";

/** The ingest schedule: every few minutes, one message per due source on the ingest queue. */
export const ingest = new sst.aws.Cron("Ingest", {
  schedule: INGEST_SCHEDULE_EXPRESSION,
  function: {
    ...functionSettings("ingest"),
    handler: "functions/ingest.handler",
    // Lists the sources and sends messages; well under the schedule's period.
    timeout: "1 minute",
    link: [table, ingestQueue],
  },
});
