// Imports nothing: infra/ loads this inside SST's config bundle to declare the schedules' event.

/**
 * What a schedule (`sst.aws.CronV2`, infra/cron.ts and infra/dispatch.ts) passes its function:
 * SST hands the target the `event` it is given as it is (`{}` when none), so the schedule's name
 * is written into it, and EventBridge Scheduler fills in its context attributes on each run.
 */
export type ScheduleEvent = {
  schedule: string;
  /** When the run was due, e.g. 2026-12-06T10:05:00Z. */
  scheduledTime: string;
  /** EventBridge Scheduler's id of this attempt to invoke the function. */
  executionId: string;
  /** 1 for the first attempt, counting up over the schedule's retries. */
  attempt: string;
};

/** The `event` a schedule is declared with: its name and the placeholders EventBridge Scheduler replaces. */
export function scheduleEventInput(schedule: string): ScheduleEvent {
  return {
    schedule,
    scheduledTime: "<aws.scheduler.scheduled-time>",
    executionId: "<aws.scheduler.execution-id>",
    attempt: "<aws.scheduler.attempt-number>",
  };
}

const FIELDS = ["schedule", "scheduledTime", "executionId", "attempt"] as const;

/**
 * The fields of a schedule's event that it really carries, for the log line of a run: those of
 * `ScheduleEvent` present as strings (an invocation by hand may carry none of them).
 */
export function scheduleEventFields(event: unknown): Partial<ScheduleEvent> {
  const fields: Partial<ScheduleEvent> = {};
  if (typeof event !== "object" || event === null) return fields;
  for (const name of FIELDS) {
    const value = (event as Record<string, unknown>)[name];
    if (typeof value === "string") fields[name] = value;
  }
  return fields;
}
