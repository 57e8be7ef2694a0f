import { POLL_POLICY, type Source } from "@eventwire/core";
import type { SourceSettingsUpdate } from "@eventwire/store";
import type { PipelineDeps } from "./deps";

export type SourceSettingsInput = {
  enabled?: boolean | undefined;
  fullText?: boolean | undefined;
  intervalSeconds?: number | undefined;
};

export type ConfigureSourceResult = { ok: true; source: Source } | { ok: false; error: string; notFound: boolean };

/**
 * Changes a source's settings: `enabled` (switching a source back on makes it due at once),
 * `fullText` (fetch article pages for feeds that carry only summaries), `intervalSeconds` (the
 * shortest interval between polls).
 */
export async function configureSource(
  deps: Pick<PipelineDeps, "store" | "now">,
  id: string,
  input: SourceSettingsInput,
): Promise<ConfigureSourceResult> {
  const { intervalSeconds } = input;
  if (
    intervalSeconds !== undefined &&
    (!Number.isInteger(intervalSeconds) ||
      intervalSeconds < POLL_POLICY.minIntervalSeconds ||
      intervalSeconds > POLL_POLICY.maxIntervalSeconds)
  ) {
    return {
      ok: false,
      notFound: false,
      error: `intervalSeconds must be an integer from ${POLL_POLICY.minIntervalSeconds} to ${POLL_POLICY.maxIntervalSeconds} (got ${intervalSeconds})`,
    };
  }
  const current = await deps.store.sources.get(id);
  if (current === null) return { ok: false, notFound: true, error: `no source has the id "${id}"` };
  const update: SourceSettingsUpdate = {
    ...(input.fullText !== undefined ? { fullText: input.fullText } : {}),
    ...(intervalSeconds !== undefined ? { intervalSeconds } : {}),
    ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
    ...(input.enabled === true && !current.enabled ? { nextPollAt: deps.now().toISOString() } : {}),
  };
  if (Object.keys(update).length === 0) return { ok: true, source: current };
  const source = await deps.store.sources.updateSettings(id, update);
  return source === null ? { ok: false, notFound: true, error: `no source has the id "${id}"` } : { ok: true, source };
}
