import { DISPATCH_SCHEDULE_EXPRESSION } from "@eventwire/pipeline/schedules";
import { scheduleEventInput } from "../functions/schedule-event";
import { DEAD_LETTER_QUEUE, lambdaFunction, QUEUE_CONSUMER_ACTIONS } from "./functions";
import { table } from "./table";

/** Dispatch runs that failed five times land here for a person to look at, for 14 days. */
export const dispatchDlq = new sst.aws.Queue("DispatchDlq", DEAD_LETTER_QUEUE);

/** Ingest sends a message here after storing articles: the dispatcher runs at once. */
export const dispatchQueue = new sst.aws.Queue("DispatchQueue", {
  dlq: { queue: dispatchDlq.arn, retry: 5 },
  // Longer than the dispatcher's timeout, so a running pass is never handed out twice.
  visibilityTimeout: "6 minutes",
});

/**
 * The dispatcher: the outbox into messages, due messages to their endpoints. One function for
 * its queue and its schedule (each function deploys its own folder of dist/, where SST also
 * writes its links at deploy). Its runs may overlap (a queue batch during a scheduled pass, the
 * next minute's pass during a long one); each message is leased before it is sent, so an overlap
 * costs time and no duplicate (test/integration/dispatch-overlap.test.ts). Its concurrency is
 * left uncapped: a reserved concurrency would throttle the queue's batches into the dead-letter
 * queue.
 */
export const dispatcher = new sst.aws.Function("Dispatcher", {
  ...lambdaFunction("dispatch"),
  timeout: "5 minutes",
  link: [table],
  // Subscribing by ARN grants nothing: what the queue's poller needs to hand messages over.
  permissions: [{ actions: [...QUEUE_CONSUMER_ACTIONS], resources: [dispatchQueue.arn] }],
});

dispatchQueue.subscribe(dispatcher.arn, { batch: { size: 10 } });

/** And on its own schedule, for retries and for anything a lost queue message left behind. */
export const dispatchSchedule = new sst.aws.CronV2("Dispatch", {
  schedule: DISPATCH_SCHEDULE_EXPRESSION,
  event: scheduleEventInput("dispatch"),
  function: dispatcher.arn,
});
