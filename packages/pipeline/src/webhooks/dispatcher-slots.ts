import pLimit, { type LimitFunction } from "p-limit";
import type { WebhookSettings } from "../deps";

/** Attempts in flight in one dispatcher, over all endpoints. */
const GLOBAL_CONCURRENCY = 32;
/**
 * Messages one endpoint that answers quickly may have between claim and finish, in multiples of
 * its attempts in flight: the next ones are claimed while the current ones are sent and their
 * ends written. One that answers slowly gets none ahead (a claimed message waiting behind slow
 * attempts would use up its lease).
 */
const PIPELINE_DEPTH = 4;
/** An attempt that took longer than this makes its endpoint a slow one. */
const SLOW_ATTEMPT_MS = 1_000;

/**
 * One endpoint's bounds in a dispatcher: messages between claim and finish (its pipeline), and
 * attempts in flight (its sends); `measured` once an attempt of this run has told how fast it answers.
 */
type Endpoint = { pipeline: LimitFunction; sends: LimitFunction; measured: boolean };

/** Places a limit would start at once. */
function freePlaces(limit: LimitFunction): number {
  return limit.concurrency - limit.activeCount - limit.pendingCount;
}

/** A dispatcher's slots: the bounds of each endpoint and of the whole dispatcher. */
export type DispatcherSlots = {
  /**
   * Runs `task` once it holds a place in its endpoint's pipeline and then one in the dispatcher's;
   * `onEndpointPlace` is told when the first is taken, before it queues for the second.
   */
  inPipeline(subscriptionId: string, task: () => Promise<void>, onEndpointPlace?: () => void): Promise<void>;
  /** Runs `send` once it holds a send slot of its endpoint and then one of the dispatcher's. */
  inSendSlot<T>(subscriptionId: string, send: () => Promise<T>): Promise<T>;
  /** Sizes the endpoint's pipeline by how fast its attempt answered: none ahead for a slow endpoint. */
  noteLatency(subscriptionId: string, latencyMs: number): void;
  /**
   * Places free now in the endpoint's pipeline (and, until this run has seen how fast it
   * answers, in its sends), and in the dispatcher's pipeline.
   */
  freePlaces(subscriptionId: string): { endpoint: number; dispatcher: number };
};

/** The slots of one dispatcher run; an endpoint's are made on first use, sized by `settings.concurrencyPerEndpoint`. */
export function createDispatcherSlots(settings: Pick<WebhookSettings, "concurrencyPerEndpoint">): DispatcherSlots {
  const pipeline = pLimit(PIPELINE_DEPTH * GLOBAL_CONCURRENCY);
  const sends = pLimit(GLOBAL_CONCURRENCY);
  const endpoints = new Map<string, Endpoint>();

  const endpointOf = (subscriptionId: string): Endpoint => {
    let endpoint = endpoints.get(subscriptionId);
    if (endpoint === undefined) {
      const bound = settings.concurrencyPerEndpoint;
      endpoint = { pipeline: pLimit(PIPELINE_DEPTH * bound), sends: pLimit(bound), measured: false };
      endpoints.set(subscriptionId, endpoint);
    }
    return endpoint;
  };

  return {
    inPipeline(subscriptionId, task, onEndpointPlace) {
      // Slots are always taken in this order (endpoint, then the dispatcher's), so none waits on another in a cycle.
      return endpointOf(subscriptionId).pipeline(() => {
        onEndpointPlace?.();
        return pipeline(task);
      });
    },
    inSendSlot(subscriptionId, send) {
      return endpointOf(subscriptionId).sends(() => sends(send));
    },
    noteLatency(subscriptionId, latencyMs) {
      const endpoint = endpointOf(subscriptionId);
      endpoint.measured = true;
      endpoint.pipeline.concurrency = settings.concurrencyPerEndpoint * (latencyMs > SLOW_ATTEMPT_MS ? 1 : PIPELINE_DEPTH);
    },
    freePlaces(subscriptionId) {
      const endpoint = endpointOf(subscriptionId);
      // Only places free now: a message claimed ahead must not wait out its lease behind other
      // attempts, so it gets no more room than the endpoint's pipeline gives a claim (none ahead
      // for a slow endpoint), and, until this run has seen how fast the endpoint answers, no more
      // than its free send slots.
      const inEndpoint = endpoint.measured
        ? freePlaces(endpoint.pipeline)
        : Math.min(freePlaces(endpoint.pipeline), freePlaces(endpoint.sends));
      return { endpoint: inEndpoint, dispatcher: freePlaces(pipeline) };
    },
  };
}
