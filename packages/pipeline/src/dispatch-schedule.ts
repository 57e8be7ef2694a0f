/**
 * How often the dispatcher runs on its own schedule, deployed (an `sst.aws.CronV2` in
 * infra/dispatch.ts) and local (the runner's timer); it also runs right after every ingest that
 * stored something. The shortest retry (5 seconds) is met by the run after an ingest or the
 * local timer; the deployed schedule's minute is the floor for retries there. Imports nothing:
 * infra/ loads it.
 */
export const DISPATCH_SCHEDULE_MINUTES = 1;

/** The EventBridge rate expression for the dispatch schedule. */
export const DISPATCH_SCHEDULE_EXPRESSION = `rate(${DISPATCH_SCHEDULE_MINUTES} minute)`;
