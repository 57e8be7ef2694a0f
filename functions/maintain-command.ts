import { findTheme, type ThemeDefinition } from "@eventwire/core";
import { type MaintenanceSummary, maintainThemes, type PipelineDeps, type ThemesMaintenance } from "@eventwire/pipeline";
import { UsageError } from "./eval-command";

export const MAINTAIN_USAGE = "maintain [--theme ID]";

/**
 * The theme `--theme` names among the deployment's (`themes`, from EVENTWIRE_THEMES), or every one
 * of them without it; a usage error naming the themes otherwise.
 */
export function maintainedThemes(id: string | undefined, themes: readonly ThemeDefinition[]): readonly ThemeDefinition[] {
  if (id === undefined) return themes;
  const theme = findTheme(themes, id);
  if (theme === undefined) {
    throw new UsageError(`maintain --theme: no theme "${id}" (themes: ${themes.map((t) => t.id).join(", ")})`);
  }
  return [theme];
}

/** What a pass did, a line a decision, for the operator who ran it. */
export function formatMaintenance(summary: MaintenanceSummary): string {
  const lines: string[] = [];
  if (summary.resumed > 0) lines.push(`finished ${summary.resumed} list(s) of moves an earlier pass left unfinished`);
  const left =
    summary.incomplete > 0 ? `; ${summary.incomplete} left for a later pass (their articles are being moved or indexed)` : "";
  lines.push(`theme ${summary.themeId}: ${summary.examined} recent events examined${left}`);
  for (const decision of summary.decisions) {
    const what =
      decision.kind === "merge"
        ? `merged  ${decision.otherEventId} into ${decision.eventId} (${decision.articles} articles moved)`
        : `split   ${decision.articles} articles of ${decision.eventId} into ${decision.otherEventId}`;
    lines.push(`${what}: ${decision.summary}`);
  }
  if (summary.skipped > 0) lines.push(`${summary.skipped} decision(s) could not be applied (see the log)`);
  if (summary.replanned > 0) lines.push(`planned again ${summary.replanned} time(s): the theme changed during the pass`);
  lines.push(
    summary.decisions.length === 0 && summary.moved === 0
      ? "nothing to do"
      : `${summary.decisions.length} decision(s) stored, ${summary.moved} article(s) moved`,
  );
  return `${lines.join("\n")}\n`;
}

/** `maintain`: one maintenance pass over each of these themes' recent events, with these deps, now, one after another. */
export function runMaintenance(deps: PipelineDeps, themes: readonly ThemeDefinition[]): Promise<ThemesMaintenance> {
  return maintainThemes(
    deps,
    themes.map((theme) => theme.id),
  );
}
