import * as z from "zod";
import { ENTITY_TYPES } from "./text-features/entities";
import type { ThemeDefinition } from "./text-features/theme-score";
import isisSyria from "./themes/isis-syria.json" with { type: "json" };

const THEME_SCHEMA = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "lower-case letters, digits and '-'"),
  title: z.string().min(1),
  description: z.string(),
  language: z.string().min(2),
  threshold: z.number().min(0).max(1),
  followUpThreshold: z.number().min(0).max(1),
  entities: z.array(
    z.strictObject({
      id: z.string().min(1),
      type: z.enum(ENTITY_TYPES),
      // 0: recognised for matching (its aliases read as one name), with no say in the theme score.
      weight: z.number().nonnegative(),
      aliases: z.array(z.string().min(1)).min(1),
    }),
  ),
  terms: z.array(z.strictObject({ term: z.string().min(1), weight: z.number().positive() })),
});

/** Validates a theme definition (a JSON file under themes/); a bad one is an error naming the field. */
export function parseTheme(raw: unknown, origin: string): ThemeDefinition {
  const result = THEME_SCHEMA.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`theme ${origin}: ${issue?.path.join(".") || "(root)"}: ${issue?.message}`);
  }
  if (result.data.followUpThreshold > result.data.threshold) {
    throw new Error(`theme ${origin}: followUpThreshold must not exceed threshold`);
  }
  return result.data;
}

/** The themes this deployment follows. The first and default: ISIS and the Syrian conflict. */
export const DEFAULT_THEMES: readonly ThemeDefinition[] = [parseTheme(isisSyria, "isis-syria.json")];

export const DEFAULT_THEME_ID = "isis-syria";

/** The theme with this id, or undefined. */
export function findTheme<T extends { id: string }>(themes: readonly T[], id: string): T | undefined {
  return themes.find((theme) => theme.id === id);
}
