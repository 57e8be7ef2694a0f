import { createSource, errorMessage, failedPoll, type NewSourceInput, type Source } from "@eventwire/core";
import type { PipelineDeps } from "./deps";
import { HostUnresolvedError } from "./url-guard";

export type AddSourceResult = { ok: true; created: boolean; source: Source } | { ok: false; error: string };

export type AddSourceOptions = {
  /**
   * Keep a new URL whose host does not resolve now, as a source failing with that error, which
   * the schedule tries again with back-off; without it such a URL is refused like any other.
   * For configured sources, which may be set up before the network is.
   */
  keepUnreachable?: boolean | undefined;
};

/**
 * Adds a feed to poll. Adding the same URL again (in any tracking-parameter variant) is a no-op
 * that looks nothing up. A new URL the deployment's guard refuses (a private address, say) is
 * refused here, by name.
 */
export async function addSource(
  deps: Pick<PipelineDeps, "store" | "now" | "guard"> & Partial<Pick<PipelineDeps, "random">>,
  input: NewSourceInput,
  options: AddSourceOptions = {},
): Promise<AddSourceResult> {
  const now = deps.now();
  const built = createSource(input, now);
  if (!built.ok) return { ok: false, error: built.reason };
  // Already a source: nothing to add, and nothing to look up again.
  const existing = await deps.store.sources.get(built.source.id);
  if (existing !== null) return { ok: true, created: false, source: existing };
  let source = built.source;
  if (deps.guard !== undefined) {
    try {
      await deps.guard(new URL(source.url));
    } catch (error) {
      if (!(options.keepUnreachable && error instanceof HostUnresolvedError)) return { ok: false, error: errorMessage(error) };
      // Recorded as a first failed poll would be, so the source says why and backs off as one.
      source = { ...source, ...failedPoll(source, error.message, now, deps.random ?? Math.random) };
    }
  }
  const { created, source: stored } = await deps.store.sources.add(source);
  return { ok: true, created, source: stored };
}

/** A configured URL and why it could not be polled. */
type SeedProblem = { url: string; error: string };

export type SeedSourcesResult = {
  /** Sources that were new. */
  created: number;
  /** New sources whose host did not resolve: stored, failing, and retried with back-off. */
  unreachable: SeedProblem[];
  /** URLs not added at all: malformed, or refused by the guard (a private address, say). */
  refused: SeedProblem[];
};

/**
 * Adds each configured URL that is not a source yet. One whose host does not resolve (no network
 * yet, say) is stored failing and retried on later ticks; one that cannot be added (malformed,
 * refused by the guard) is logged and skipped. One bad entry never keeps the others from polling.
 */
export async function seedSources(
  deps: Pick<PipelineDeps, "store" | "now" | "guard" | "log" | "random">,
  urls: readonly string[],
  intervalSeconds?: number,
): Promise<SeedSourcesResult> {
  const result: SeedSourcesResult = { created: 0, unreachable: [], refused: [] };
  for (const url of urls) {
    const added = await addSource(deps, { url, intervalSeconds }, { keepUnreachable: true });
    if (!added.ok) {
      deps.log.warn("configured source not added", { url, error: added.error });
      result.refused.push({ url, error: added.error });
      continue;
    }
    if (!added.created) continue;
    result.created += 1;
    if (added.source.lastError !== null) {
      deps.log.warn("configured source unreachable; kept and retried with back-off", {
        url,
        error: added.source.lastError,
        nextPollAt: added.source.nextPollAt,
      });
      result.unreachable.push({ url, error: added.source.lastError });
    }
  }
  return result;
}
