import { randomUUID } from "node:crypto";
import { errorMessage, type Subscription } from "@eventwire/core";
import type { NewMessage } from "@eventwire/store";
import type { PipelineDeps } from "../deps";
import type { DeliveriesUnderWay } from "./deliveries-under-way";
import type { DispatcherSlots } from "./dispatcher-slots";
import type { ClaimAhead } from "./fan-out";
import { leaseEnd } from "./leases";
import type { Deliver } from "./run-delivery";
import { refreshSubscriptions } from "./subscription-view";

/** A dispatcher run's places for the messages its own fan-out stores claimed. */
export type ClaimsAhead = {
  /** What the run's fan-out asks for places. */
  claimAhead: ClaimAhead;
  /**
   * Promises no more places: from now on the fan-out stores what it makes pending, so the run
   * does not end with deliveries it started and no longer waits for.
   */
  stop(): void;
};

/**
 * Places in a run's slots for messages its fan-out is about to store claimed: each place queues
 * at once for the endpoint's pipeline and the dispatcher's, as a due message would, and waits
 * there for its message to be handed over (or for none, and then frees its place). Each
 * delivery is added to `underWay`, and made through the run's `deliver`.
 */
export function createClaimsAhead(
  deps: PipelineDeps,
  run: {
    slots: DispatcherSlots;
    underWay: DeliveriesUnderWay;
    subscriptions: Map<string, Subscription>;
    deliver: Deliver;
  },
): ClaimsAhead {
  const { slots, underWay, subscriptions, deliver } = run;
  // Places promised to the fan-out that have not yet queued for the dispatcher's pipeline (they
  // do in a moment): counted, so that room there is not promised twice.
  let promisedNotQueued = 0;
  let stopped = false;

  const claimAhead: ClaimAhead = (subscription, count) => {
    if (stopped) return null;
    const free = slots.freePlaces(subscription.id);
    const places = Math.min(count, free.endpoint, free.dispatcher - promisedNotQueued);
    if (places <= 0) return null;
    // One hand-over a place: gives the place its message, or null to free it.
    const handOvers = Array.from({ length: places }, () => {
      let handOver: (message: NewMessage | null) => void = () => undefined;
      const handed = new Promise<NewMessage | null>((resolve) => {
        handOver = resolve;
      });
      promisedNotQueued += 1;
      underWay.add(
        slots.inPipeline(
          subscription.id,
          async () => {
            const message = await handed;
            // Stored claimed under this place's lease (see `claimedUnder`).
            if (message?.lease !== undefined)
              await deliver({ from: "claimed-ahead", message: { ...message, lease: message.lease } });
          },
          () => {
            promisedNotQueued -= 1;
          },
        ),
      );
      return handOver;
    });
    const until = leaseEnd(deps);
    let taken = false;
    return {
      leases: handOvers.map(() => ({ token: randomUUID(), until })),
      take: (messages) => {
        if (taken) return;
        taken = true;
        const handOverEach = (list: readonly NewMessage[]) => {
          for (const [index, handOver] of handOvers.entries()) handOver(list[index] ?? null);
        };
        if (messages.length === 0) return handOverEach([]);
        // Read strongly, as a due page's subscriptions are: one paused since it was listed gets its messages held.
        refreshSubscriptions(deps, subscriptions, [subscription.id]).then(
          () => handOverEach(messages),
          (error: unknown) => {
            deps.log.warn("webhook messages claimed ahead are left until their lease runs out", {
              subscriptionId: subscription.id,
              error: errorMessage(error),
            });
            handOverEach([]);
          },
        );
      },
    };
  };

  return {
    claimAhead,
    stop: () => {
      stopped = true;
    },
  };
}
