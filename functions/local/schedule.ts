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
      log.info(`${name}: previous run still going, tick skipped`);
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
