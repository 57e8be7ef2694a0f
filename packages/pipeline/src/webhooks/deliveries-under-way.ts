/** The deliveries a dispatcher run has started and not yet seen end. */
export type DeliveriesUnderWay = {
  /** Keeps `delivery` in the set until it ends. */
  add(delivery: Promise<void>): void;
  count(): number;
  /** Resolves when one of those under way now ends. */
  oneEnded(): Promise<void>;
  /** Resolves when all of those under way now have ended. */
  allEnded(): Promise<unknown>;
};

/** An empty set of deliveries under way. */
export function createDeliveriesUnderWay(): DeliveriesUnderWay {
  const underWay = new Set<Promise<void>>();
  return {
    add(delivery) {
      const tracked: Promise<void> = delivery.finally(() => underWay.delete(tracked));
      underWay.add(tracked);
    },
    count: () => underWay.size,
    oneEnded: () => Promise.race(underWay),
    allEnded: () => Promise.all(underWay),
  };
}
