/**
 * The pipeline's schedules: how often ingest, the dispatcher and the maintenance pass run, read
 * by infra/ (`@eventwire/pipeline/schedules`, a subpath of its own) and by the local runner's
 * timers. Its modules import nothing, so SST's config bundle takes in only these constants.
 */
export { DISPATCH_SCHEDULE_EXPRESSION, DISPATCH_SCHEDULE_MINUTES } from "./dispatch-schedule";
export { INGEST_SCHEDULE_EXPRESSION, INGEST_SCHEDULE_MINUTES } from "./ingest-schedule";
export { MAINTENANCE_SCHEDULE_EXPRESSION, MAINTENANCE_SCHEDULE_MINUTES } from "./maintenance-schedule";
