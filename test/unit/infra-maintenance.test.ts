import { readFileSync } from "node:fs";
import path from "node:path";
import { MAINTENANCE_SCHEDULE_EXPRESSION, MAINTENANCE_SCHEDULE_MINUTES } from "@eventwire/pipeline/schedules";
import { describe, expect, it } from "vitest";
import { LINKED } from "../../functions/linked";
import { scheduleEventInput } from "../../functions/schedule-event";
import {
  arnOf,
  declaredFunction,
  durationSeconds,
  expectConsumerOf,
  lambdaOf,
  loaded,
  one,
  projectRoot,
  subscriberArgs,
  subscriptions,
  useInfraStandIn,
} from "../support/infra-stand-in";

// The maintenance pass as infra/maintain.ts declares it, checked against the code that runs it
// (loaded with the stand-in for SST's globals, as test/unit/infra.test.ts loads the rest).
useInfraStandIn();

const source = (file: string) => readFileSync(path.join(projectRoot, file), "utf8");

describe("maintenance infra", () => {
  it("runs one function from its queue (with a dead-letter queue) and hourly on a CronV2 schedule", () => {
    const queue = one("sst.aws.Queue", LINKED.maintainQueue);
    const dlq = one("sst.aws.Queue", "MaintainDlq");
    expect(queue.args.dlq).toMatchObject({ queue: arnOf(dlq) });
    expect((queue.args.dlq as { retry: number }).retry).toBeGreaterThanOrEqual(1);
    const maintainer = one("sst.aws.Function", "Maintainer");
    expect(lambdaOf(maintainer.args)).toBe("maintain");
    const [consumer, ...others] = subscriptions.filter((entry) => entry.queue === LINKED.maintainQueue);
    expect(others).toEqual([]);
    expect(consumer?.subscriber).toBe(arnOf(maintainer));
    expect(consumer?.args).toMatchObject({ batch: { size: 1 } });
    expectConsumerOf(subscriberArgs(consumer as NonNullable<typeof consumer>), queue);
    // A pass is never handed to a second consumer while it still runs.
    expect(durationSeconds(queue.args.visibilityTimeout)).toBeGreaterThan(durationSeconds(maintainer.args.timeout));
    // Overlapping passes are safe (conditional writes): no reserved concurrency to throttle the queue into its DLQ.
    expect(maintainer.args.concurrency).toBeUndefined();

    const cron = one("sst.aws.CronV2", "Maintain");
    expect(cron.args.schedule).toBe(MAINTENANCE_SCHEDULE_EXPRESSION);
    expect(cron.args.schedule).toMatch(/^rate\(\d+ minutes?\)$/);
    expect(MAINTENANCE_SCHEDULE_MINUTES).toBe(60);
    expect(cron.args.function).toBe(arnOf(maintainer));
    // SST passes the target exactly this: the handler logs what it carries.
    expect(cron.args.event).toEqual(scheduleEventInput("maintain"));
    expect(source("functions/maintain.ts")).toContain("scheduleEventFields(event)");
  });

  it("links the pass to the table and the dispatch queue, which it tells after storing decisions", () => {
    const fn = declaredFunction("maintain");
    expect(fn.link as object[]).toContain(one("sst.aws.Dynamo", LINKED.table).instance);
    expect(fn.link as object[]).toContain(one("sst.aws.Queue", LINKED.dispatchQueue).instance);
    expect(source("functions/maintain.ts")).toContain("notifyDispatcher");
    // It reads and writes the table and logs: only those settings reach its environment.
    expect(loaded.infra.SETTINGS_READ.maintain).toEqual(["EVENTWIRE_DYNAMO_MAX_ATTEMPTS", "EVENTWIRE_LOG_LEVEL"]);
    expect(fn.memory).toBe("1024 MB");
  });

  it("links the ingest worker to the maintain queue, which it asks once enough articles are stored", () => {
    const worker = one("sst.aws.Function", LINKED.ingestWorker);
    expect(worker.args.link as object[]).toContain(one("sst.aws.Queue", LINKED.maintainQueue).instance);
    // What the worker does after storing is written once, for every ingest handler (after-storing.ts).
    expect(source("functions/ingest-worker.ts")).toContain("afterStoringFor(deps)");
    const code = source("functions/after-storing.ts");
    expect(code).toContain("linkedMaintainQueueUrl()");
    expect(code).toContain("maintenanceDueAfter(deps, stored)");
    // Nothing else is linked to it: only the worker asks for passes.
    const linkedTo = [one("sst.aws.Function", "Api"), one("sst.aws.Function", "Dispatcher")].filter((entry) =>
      (entry.args.link as object[]).includes(one("sst.aws.Queue", LINKED.maintainQueue).instance),
    );
    expect(linkedTo).toEqual([]);
    // Nor is the scheduled ingest function, which shares after-storing.ts with the worker.
    expect(declaredFunction("ingest").link as object[]).not.toContain(one("sst.aws.Queue", LINKED.maintainQueue).instance);
  });
});
