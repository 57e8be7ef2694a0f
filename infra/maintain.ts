import { MAINTENANCE_SCHEDULE_EXPRESSION } from "@eventwire/pipeline/schedules";
import { scheduleEventInput } from "../functions/schedule-event";
import { dispatchQueue } from "./dispatch";
import { DEAD_LETTER_QUEUE, lambdaFunction, QUEUE_CONSUMER_ACTIONS } from "./functions";
import { table } from "./table";

/** Maintenance passes that failed three times land here for a person to look at, for 14 days. */
export const maintainDlq = new sst.aws.Queue("MaintainDlq", DEAD_LETTER_QUEUE);

/** The ingest worker sends a message here once every so many articles are stored: a pass runs at once. */
export const maintainQueue = new sst.aws.Queue("MaintainQueue", {
  dlq: { queue: maintainDlq.arn, retry: 3 },
  // Longer than the function's timeout, so a running pass is never handed out twice.
  visibilityTimeout: "11 minutes",
});

/**
 * The maintenance pass: re-examines the theme's recent events, merges and splits them. One
 * function for its queue and its schedule. Linked to the dispatch queue: after a pass that
 * stored decisions, the dispatcher sends their messages at once. Overlapping passes are safe
 * (the later one's writes fail on the theme's sequence and it plans again), so its concurrency
 * is left uncapped, as the dispatcher's is.
 */
export const maintainer = new sst.aws.Function("Maintainer", {
  ...lambdaFunction("maintain"),
  timeout: "10 minutes",
  link: [table, dispatchQueue],
  // Subscribing by ARN grants nothing: what the queue's poller needs to hand messages over.
  permissions: [{ actions: [...QUEUE_CONSUMER_ACTIONS], resources: [maintainQueue.arn] }],
});

maintainQueue.subscribe(maintainer.arn, { batch: { size: 1 } });

/** And hourly, whatever ingest stored. */
export const maintainSchedule = new sst.aws.CronV2("Maintain", {
  schedule: MAINTENANCE_SCHEDULE_EXPRESSION,
  event: scheduleEventInput("maintain"),
  function: maintainer.arn,
});
