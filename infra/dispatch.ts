import { DISPATCH_SCHEDULE_EXPRESSION } from "../packages/pipeline/src/dispatch-schedule";
import { functionSettings } from "./functions";
import { table } from "./table";

/** Dispatch runs that failed five times land here for a person to look at. */
export const dispatchDlq = new sst.aws.Queue("DispatchDlq");

/** Ingest sends a message here after storing articles: the dispatcher runs at once. */
export const dispatchQueue = new sst.aws.Queue("DispatchQueue", {
  dlq: { queue: dispatchDlq.arn, retry: 5 },
  // Longer than the dispatcher's timeout, so a running pass is never handed out twice.
  visibilityTimeout: "6 minutes",
});

/** The dispatcher: the outbox into messages, due messages to their endpoints. */
export const DISPATCH_FUNCTION = {
  ...functionSettings("dispatch"),
  handler: "functions/dispatch.handler",
  timeout: "5 minutes",
  link: [table],
} as const;

dispatchQueue.subscribe(DISPATCH_FUNCTION, { batch: { size: 10 } });

/** And on its own schedule, for retries and for anything a lost queue message left behind. */
export const dispatchSchedule = new sst.aws.Cron("Dispatch", {
  schedule: DISPATCH_SCHEDULE_EXPRESSION,
  function: DISPATCH_FUNCTION,
});
