/** A count of news, and a way to wait for news after a count. */
export type Wake = {
  generation(): number;
  /** Counts news and wakes every waiter. */
  notify(): void;
  /** Resolves once there is news after the count `seen`. */
  after(seen: number): Promise<void>;
};

/** A wake with no news yet. */
export function createWake(): Wake {
  let generation = 0;
  const waiters: (() => void)[] = [];
  return {
    generation: () => generation,
    notify: () => {
      generation += 1;
      for (const waiter of waiters.splice(0)) waiter();
    },
    after: (seen: number) =>
      generation > seen ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(() => resolve())),
  };
}
