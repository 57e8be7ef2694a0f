import { errorMessage } from "@eventwire/core";
import { maintenanceDueAfter, type PipelineDeps } from "@eventwire/pipeline";
import { notifyDispatcher, notifyMaintainer } from "./dispatch-queue";
import { linkedDispatchQueueUrl, linkedMaintainQueueUrl } from "./linked";

/**
 * What every ingest handler does after storing articles, for the queues linked to its function
 * (read once, with the deps). New articles may mean webhook messages: the dispatcher is asked to
 * run at once (DispatchQueue). They are also counted in the table, per theme, and every
 * `MAINTENANCE_LIMITS.afterStored` of them, however many workers stored them, asks for that
 * theme's maintenance pass (MaintainQueue, linked to the ingest worker). Never throws: the articles are
 * stored, and each schedule reads what a lost notice would have announced.
 */
export function afterStoringFor(deps: PipelineDeps): (stored: number) => Promise<void> {
  const dispatchQueueUrl = linkedDispatchQueueUrl();
  const maintainQueueUrl = linkedMaintainQueueUrl();
  return async (stored) => {
    if (stored === 0) return;
    const at = deps.now().toISOString();
    if (dispatchQueueUrl !== undefined) await notifyDispatcher(dispatchQueueUrl, deps.log, { stored, at });
    if (maintainQueueUrl === undefined) return;
    try {
      const themes = await maintenanceDueAfter(deps, stored);
      // The notice names the themes whose passes are due; the pass runs those.
      if (themes.length > 0) await notifyMaintainer(maintainQueueUrl, deps.log, { stored, at, themes });
    } catch (error) {
      // The hourly schedule runs a pass all the same.
      deps.log.warn("could not count stored articles towards a maintenance pass", { error: errorMessage(error) });
    }
  };
}
