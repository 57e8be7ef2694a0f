import { createSource, errorMessage, type NewSourceInput, type Source } from "@eventwire/core";
import type { PipelineDeps } from "./deps";

export type AddSourceResult = { ok: true; created: boolean; source: Source } | { ok: false; error: string };

/**
 * Adds a feed to poll. Adding the same URL again (in any tracking-parameter variant) is a no-op
 * that looks nothing up. A new URL the deployment's guard refuses (a private address, say) is
 * refused here, by name.
 */
export async function addSource(
  deps: Pick<PipelineDeps, "store" | "now" | "guard">,
  input: NewSourceInput,
): Promise<AddSourceResult> {
  const built = createSource(input, deps.now());
  if (!built.ok) return { ok: false, error: built.reason };
  // Already a source: nothing to add, and nothing to look up again.
  const existing = await deps.store.sources.get(built.source.id);
  if (existing !== null) return { ok: true, created: false, source: existing };
  if (deps.guard !== undefined) {
    try {
      await deps.guard(new URL(built.source.url));
    } catch (error) {
      return { ok: false, error: errorMessage(error) };
    }
  }
  const { created, source } = await deps.store.sources.add(built.source);
  return { ok: true, created, source };
}

/**
 * Adds each configured URL that is not a source yet; returns how many were new. One that cannot
 * be added (refused by the guard, a name that
 * does not resolve) is logged and skipped: one bad entry never keeps the others from polling.
 */
export async function seedSources(
  deps: Pick<PipelineDeps, "store" | "now" | "guard" | "log">,
  urls: readonly string[],
  intervalSeconds?: number,
): Promise<number> {
  let created = 0;
  for (const url of urls) {
    const result = await addSource(deps, { url, intervalSeconds });
    if (!result.ok) {
      deps.log.warn("configured source not added", { url, error: result.error });
      continue;
    }
    if (result.created) created += 1;
  }
  return created;
}
