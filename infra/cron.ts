import { INGEST_SCHEDULE_EXPRESSION } from "@eventwire/pipeline/schedules";
import { scheduleEventInput } from "../functions/schedule-event";
import { lambdaFunction } from "./functions";
import { ingestQueue } from "./queue";
import { table } from "./table";

/**
 * The ingest schedule: every few minutes, one message per due source on the ingest queue.
 * EventBridge Scheduler (SST's CronV2) invokes the function with `event`, its run's details
 * filled in (functions/schedule-event.ts).
 */
export const ingest = new sst.aws.CronV2("Ingest", {
  schedule: INGEST_SCHEDULE_EXPRESSION,
  event: scheduleEventInput("ingest"),
  function: {
    ...lambdaFunction("ingest"),
    // Lists the sources and sends messages; well under the schedule's period.
    timeout: "1 minute",
    link: [table, ingestQueue],
  },
});
