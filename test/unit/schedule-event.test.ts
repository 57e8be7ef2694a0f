import { describe, expect, it } from "vitest";
import { scheduleEventFields, scheduleEventInput } from "../../functions/schedule-event";

// What EventBridge Scheduler invokes a schedule's function with: the `event` infra/ declares,
// its context attributes replaced by the run's values.
function invokedWith(input: object, values: Record<string, string>): unknown {
  let text = JSON.stringify(input);
  for (const [placeholder, value] of Object.entries(values)) text = text.replaceAll(placeholder, value);
  return JSON.parse(text);
}

describe("schedule events", () => {
  it("happy: a schedule's event names it and asks EventBridge Scheduler for the run's time, id and attempt", () => {
    const input = scheduleEventInput("ingest");
    expect(input.schedule).toBe("ingest");
    // The context attributes EventBridge Scheduler replaces in a target's input.
    expect(Object.values(input)).toEqual(
      expect.arrayContaining([
        "<aws.scheduler.scheduled-time>",
        "<aws.scheduler.execution-id>",
        "<aws.scheduler.attempt-number>",
      ]),
    );
    const event = invokedWith(input, {
      "<aws.scheduler.scheduled-time>": "2026-12-06T10:05:00Z",
      "<aws.scheduler.execution-id>": "d32c5kddcf5bb8c3",
      "<aws.scheduler.attempt-number>": "1",
    });
    expect(scheduleEventFields(event)).toEqual({
      schedule: "ingest",
      scheduledTime: "2026-12-06T10:05:00Z",
      executionId: "d32c5kddcf5bb8c3",
      attempt: "1",
    });
  });

  it.each([
    ["the empty event a schedule without one passes", {}, {}],
    ["an EventBridge rule's event", { id: "53dc4d37", time: "2026-05-04T10:00:00Z", "detail-type": "Scheduled Event" }, {}],
    ["fields of the wrong type", { schedule: 5, scheduledTime: null, attempt: "2" }, { attempt: "2" }],
    ["null", null, {}],
    ["a string", "tick", {}],
  ])("error: logs only what the event carries: %s", (_name, event, fields) => {
    expect(scheduleEventFields(event)).toEqual(fields);
  });
});
