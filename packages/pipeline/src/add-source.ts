import { createSource, errorMessage, type NewSourceInput, type Source } from "@eventwire/core";
import type { PipelineDeps } from "./deps";

export type AddSourceResult = { ok: true; created: boolean; source: Source } | { ok: false; error: string };

/**
 * Adds a feed to poll. Adding the same URL again (in any tracking-parameter variant) is a no-op.
 * A URL the deployment's guard refuses (a private address, say) is refused here, by name.
 */
export async function addSource(
  deps: Pick<PipelineDeps, "store" | "now" | "guard">,
  input: NewSourceInput,
): Promise<AddSourceResult> {
  const built = createSource(input, deps.now());
  if (!built.ok) return { ok: false, error: built.reason };
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
 * Adds each configured URL that is not a source yet; returns how many were new. A URL already a
 * source is not looked up again, and one that cannot be added (refused by the guard, a name that
 * does not resolve) is logged and skipped: one bad entry never keeps the others from polling.
 */
export async function seedSources(
  deps: Pick<PipelineDeps, "store" | "now" | "guard" | "log">,
  urls: readonly string[],
  intervalSeconds?: number,
): Promise<number> {
  let created = 0;
  for (const url of urls) {
    const built = createSource({ url, intervalSeconds }, deps.now());
    if (built.ok && (await deps.store.sources.get(built.source.id)) !== null) continue;
    const result = await addSource(deps, { url, intervalSeconds });
    if (!result.ok) {
      deps.log.warn("configured source not added", { url, error: result.error });
      continue;
    }
    if (result.created) created += 1;
  }
  return created;
}
