/**
 * How often the maintenance schedule runs a pass over each theme's recent events, deployed (the
 * `sst.aws.CronV2` in infra/maintain.ts) and local (the runner's timer, EVENTWIRE_MAINTENANCE_SECONDS).
 * A pass also follows ingest that stored many articles (`MAINTENANCE_LIMITS.afterStored`).
 * Imports nothing: infra/ loads it inside SST's config bundle.
 */
export const MAINTENANCE_SCHEDULE_MINUTES = 60;

/** The EventBridge rate expression for the maintenance schedule. */
export const MAINTENANCE_SCHEDULE_EXPRESSION = `rate(${MAINTENANCE_SCHEDULE_MINUTES} minutes)`;
