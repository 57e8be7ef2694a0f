import { errorMessage, type Log } from "@eventwire/core";

export type Schedule = {
  /** Stops ticking and waits for a run in progress to finish. */
  stop(): Promise<void>;
};

/**
 * Runs `task` now and then every `intervalMs`. A tick that comes while a run is still going is
 * skipped, so runs never overlap; a failing run is logged and the schedule goes on.
 */
export function startSchedule(name: string, task: () => Promise<unknown>, intervalMs: number, log: Log): Schedule {
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    if (running !== null) {
      log.debug(`${name}: previous run still going, tick skipped`);
      return;
    }
    running = task()
      .then(() => undefined)
      .catch((error: unknown) => {
        log.error(`${name} run failed`, { error: errorMessage(error) });
      })
      .finally(() => {
        running = null;
      });
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      if (running !== null) await running;
    },
  };
}

export type SingleFlight = {
  /** Runs the task, or, while it runs, asks for one more run after it; resolves when that run ends. */
  run(): Promise<void>;
  /** Resolves once no run is going or asked for. */
  idle(): Promise<void>;
};

/**
 * One run of `task` at a time in this process. Callers that come during a run share one run
 * after it, so work that arrived meanwhile is picked up, and no two runs ever overlap.
 */
export function singleFlight(task: () => Promise<unknown>): SingleFlight {
  let running: Promise<void> | null = null;
  let next: Promise<void> | null = null;
  const run = (): Promise<void> => {
    if (running === null) {
      running = task()
        .then(() => undefined)
        .finally(() => {
          running = null;
        });
      return running;
    }
    next ??= running
      .catch(() => undefined)
      .then(() => {
        next = null;
        return run();
      });
    return next;
  };
  return {
    run,
    async idle() {
      while (running !== null || next !== null) await (next ?? running)?.catch(() => undefined);
    },
  };
}
