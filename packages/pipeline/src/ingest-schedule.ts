/**
 * How often the ingest schedule fires, deployed (the `sst.aws.CronV2` in infra/cron.ts) and
 * local (the runner's timer) alike. Sources poll at their own interval; a tick runs the ones that are due.
 * This module imports nothing: infra/ loads it inside SST's config bundle.
 */
export const INGEST_SCHEDULE_MINUTES = 5;

/** The EventBridge rate expression for the ingest schedule. */
export const INGEST_SCHEDULE_EXPRESSION = `rate(${INGEST_SCHEDULE_MINUTES} minutes)`;
