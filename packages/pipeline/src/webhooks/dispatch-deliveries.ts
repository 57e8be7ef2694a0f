import { randomInt } from "node:crypto";
import type { Subscription } from "@eventwire/core";
import type { PageMark } from "@eventwire/store";
import type { PipelineDeps } from "../deps";
import { createClaimsAhead } from "./claim-ahead";
import { createDeliveriesUnderWay } from "./deliveries-under-way";
import type { DispatchSummary } from "./dispatch-summary";
import { createDispatcherSlots } from "./dispatcher-slots";
import { createDuePages } from "./due-pages";
import { type ClaimAhead, fanOutChanges } from "./fan-out";
import { requeueHeldOfActive } from "./requeue-held";
import { createRunDelivery } from "./run-delivery";
import { refreshSubscriptions } from "./subscription-view";
import { createWake } from "./wake";

/** Due messages read at a time. */
const DUE_BATCH = 200;
/** Messages read and not yet done past which the dispatcher reads no more until some are done. */
const MAX_QUEUED = 2 * DUE_BATCH;

export type DispatchOptions = {
  /** Stop reading due messages after this many pages that brought new ones (a page holds up to 200). */
  maxRounds?: number;
};

/**
 * The dispatcher: turns new event changes into messages and, meanwhile, delivers every due
 * message (each batch the fan-out makes is read as soon as it is written). Each message is
 * claimed with a conditional write (a lease) before its attempt, so two dispatchers never make
 * the same attempt; the claims of messages waiting at the same moment share transactions, and
 * so do the ends of attempts (log entry and next state). Attempts to one endpoint are bounded,
 * and so are those of the whole dispatcher. Per-message failures are recorded on the message,
 * never thrown; a failed fan-out is thrown once what was due has been sent.
 */
export async function dispatchDeliveries(deps: PipelineDeps, options: DispatchOptions = {}): Promise<DispatchSummary> {
  const summary: DispatchSummary = { made: 0, attempted: 0, delivered: 0, failed: 0, skipped: 0, claimedAhead: 0 };
  const wake = createWake();
  const slots = createDispatcherSlots(deps.config.webhooks);
  // This run's view of the subscriptions, shared by its attempts (a disable stops the rest).
  const subscriptions = new Map<string, Subscription>();
  // Every delivery under way, from the due pages and from the fan-out's hand-over.
  const underWay = createDeliveriesUnderWay();
  const duePages = createDuePages();
  const deliver = createRunDelivery(deps, { summary, slots, subscriptions, duePages, wake });
  const claimsAhead = createClaimsAhead(deps, { slots, underWay, subscriptions, deliver });

  let fanOutDone = false;
  let fanOutError: { error: unknown } | null = null;
  const fanOut = fanOutEveryTheme(deps, wake.notify, claimsAhead.claimAhead)
    .then(
      (made) => {
        summary.made = made;
      },
      (error: unknown) => {
        fanOutError = { error };
      },
    )
    .finally(() => {
      fanOutDone = true;
      wake.notify();
    });
  const maxRounds = options.maxRounds ?? 50;
  try {
    await requeueHeldOfActive(deps);
    let rounds = 0;
    let after: PageMark | null = null;
    // One read through the due index, from its first page to its last: whether it found
    // messages not read before, the wake count and whether the fan-out was over when it began.
    const startReadThrough = () => ({ foundUnread: false, wakeCountAtStart: wake.generation(), fanOutDoneAtStart: fanOutDone });
    let readThrough = startReadThrough();
    while (rounds < maxRounds) {
      while (underWay.count() >= MAX_QUEUED) await underWay.oneEnded();
      if (after === null) readThrough = startReadThrough();
      const page = await deps.store.webhooks.dueMessages(deps.now(), DUE_BATCH, after);
      const unread = duePages.unread(page.items);
      if (unread.length > 0) {
        const pageNumber = duePages.markRead(unread);
        await refreshSubscriptions(
          deps,
          subscriptions,
          unread.map((message) => message.subscriptionId),
        );
        // Once another dispatcher has been met, take the page in a random order: two that read
        // the same page would otherwise claim the same messages in step, one losing each time.
        const order = summary.skipped > 0 ? shuffled(unread) : unread;
        for (const message of order)
          underWay.add(slots.inPipeline(message.subscriptionId, () => deliver({ from: "due-page", message, page: pageNumber })));
        readThrough.foundUnread = true;
        rounds += 1;
      }
      after = page.next;
      if (after !== null) continue;
      // Read to the end of what is due. Done when a whole read found nothing new, with the
      // fan-out over before it began and no attempt under way (an attempt can make messages:
      // a disable tells the other subscribers).
      const idle = underWay.count() === 0;
      const wokenSince = wake.generation() !== readThrough.wakeCountAtStart;
      if (!readThrough.foundUnread && idle && readThrough.fanOutDoneAtStart && !wokenSince) break;
      // Read again once the fan-out has written more, or the attempts under way have ended.
      if (!wokenSince && !(readThrough.foundUnread && idle))
        await Promise.race([wake.after(readThrough.wakeCountAtStart), ...(idle ? [] : [underWay.allEnded()])]);
    }
  } finally {
    claimsAhead.stop();
    // The fan-out may hand over messages it claimed before the stop: wait for it, then for
    // every delivery started, those included.
    await fanOut;
    while (underWay.count() > 0) await underWay.allEnded();
  }
  if (fanOutError !== null) throw (fanOutError as { error: unknown }).error;
  if (summary.made + summary.attempted > 0) deps.log.info("webhooks dispatched", { ...summary });
  return summary;
}

/** Each theme's changes turned into messages, one theme after another (each has its own outbox); how many were made. */
async function fanOutEveryTheme(deps: PipelineDeps, onMade: () => void, claimAhead: ClaimAhead): Promise<number> {
  let made = 0;
  let failure: { error: unknown } | undefined;
  // A theme whose fan-out throws does not hold back the others' messages; the run then reports it.
  for (const theme of deps.config.themes) {
    try {
      made += await fanOutChanges(deps, theme.id, onMade, claimAhead);
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure !== undefined) throw failure.error;
  return made;
}

/** A copy of `items` in a random order. */
function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index -= 1) {
    const other = randomInt(index + 1);
    [copy[index], copy[other]] = [copy[other] as T, copy[index] as T];
  }
  return copy;
}
