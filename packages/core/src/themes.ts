import { en } from "zod/locales";
import * as z from "zod/mini";
import { ENTITY_TYPES } from "./text-features/entities";
import type { ThemeDefinition } from "./text-features/theme-score";
import isisSyria from "./themes/isis-syria.json" with { type: "json" };
import yemenRedSea from "./themes/yemen-red-sea.json" with { type: "json" };

// zod/mini: every function parses the shipped theme at start, and only the API needs the rest of zod.
z.config(en());

const unit = () => z.number().check(z.gte(0), z.lte(1));
const text = () => z.string().check(z.minLength(1));

const THEME_SCHEMA = z.strictObject({
  id: z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "lower-case letters, digits and '-'")),
  title: text(),
  description: z.string(),
  language: z.string().check(z.minLength(2)),
  threshold: unit(),
  followUpThreshold: unit(),
  entities: z.array(
    z.strictObject({
      id: text(),
      type: z.enum(ENTITY_TYPES),
      // 0: recognised for matching (its aliases read as one name), with no say in the theme score;
      // below 0: counter-evidence, a neighbouring story's actor whose mentions take from the score.
      weight: z.number(),
      aliases: z.array(text()).check(z.minLength(1)),
    }),
  ),
  terms: z.array(z.strictObject({ term: text(), weight: z.number().check(z.positive()), supporting: z.optional(z.boolean()) })),
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

export const DEFAULT_THEME_ID = "isis-syria";

/** The themes shipped with eventwire, which a deployment may follow by id. */
export const BUILTIN_THEMES: readonly ThemeDefinition[] = [
  parseTheme(isisSyria, "isis-syria.json"),
  parseTheme(yemenRedSea, "yemen-red-sea.json"),
];

/** The themes a deployment follows when it names none: ISIS and the Syrian conflict. */
export const DEFAULT_THEMES: readonly ThemeDefinition[] = BUILTIN_THEMES.filter((theme) => theme.id === DEFAULT_THEME_ID);

/** The theme with this id, or undefined. */
export function findTheme<T extends { id: string }>(themes: readonly T[], id: string): T | undefined {
  return themes.find((theme) => theme.id === id);
}
