import { en } from "zod/locales";
import * as z from "zod/mini";
import { ENTITY_TYPES } from "./text-features/entities";
import type { ThemeDefinition } from "./text-features/theme-score";
import { contentTerms } from "./text-features/tokens";
import isisSyria from "./themes/isis-syria.json" with { type: "json" };

// zod/mini: every function parses its themes at start, and only the API needs the rest of zod.
z.config(en());

/** A schema with what it means, for the JSON Schema a theme file's editor reads (`themeJsonSchema`). */
function described<T extends z.ZodMiniType>(schema: T, description: string): T {
  return schema.check(z.describe(description));
}

const unit = (description: string) => described(z.number().check(z.gte(0), z.lte(1)), description);
const text = (description: string) => described(z.string().check(z.minLength(1)), description);

const ENTITY_SCHEMA = described(
  z.strictObject({
    id: text("The entity's key, unique in the theme: what the matcher and the evidence name it by (e.g. `isis`)."),
    type: described(z.enum(ENTITY_TYPES), "What it is: a person, a place, an org(anisation) or other."),
    weight: described(
      z.number().check(z.nonnegative()),
      "What a mention adds to the theme score, 0 or more (the shipped themes use 0 to 3). " +
        "0: recognised for matching (its aliases read as one name), with no say in the theme score.",
    ),
    aliases: described(
      z.array(text("A name as written; an all-capital alias (`IS`, `SDF`) matches only in capitals.")).check(z.minLength(1)),
      "The names it goes by, at least one; a mention of any is a mention of the entity.",
    ),
  }),
  "A named entity of the theme (a group, place or person), with its aliases and weight.",
);

const TERM_SCHEMA = described(
  z.strictObject({
    term: text("A word or phrase (matched on its word stems; a phrase by its rarest word)."),
    weight: described(
      z.number().check(z.positive()),
      "What a mention adds to the theme score, more than 0 (the shipped themes use 0.5 to 3).",
    ),
    supporting: z.optional(
      described(
        z.boolean(),
        "true: the term adds to the score but never makes an article on-theme alone (`terror`, `militants`). Default false.",
      ),
    ),
  }),
  "A word or phrase of the theme, with its weight.",
);

const THEME_SCHEMA = described(
  z.strictObject({
    $schema: z.optional(described(z.string(), "The JSON Schema this file follows (for editors; ignored).")),
    id: described(
      z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "lower-case letters, digits and '-'")),
      "The theme's id, in feed and API paths (`/feeds/{id}.rss`): 1 to 63 lower-case letters, digits and '-', unique in a deployment.",
    ),
    title: text("The theme's name, as pages and feeds show it."),
    description: described(z.string(), "One sentence on what the theme follows, shown in the theme list."),
    language: described(z.string().check(z.minLength(2)), "The language of its articles, as a BCP 47 tag (`en`)."),
    threshold: unit(
      "Relevance, 0 to 1, from which an article is on-theme (when anchored by an entity or a non-supporting term).",
    ),
    followUpThreshold: unit(
      "Relevance, 0 to 1 and at most `threshold`, from which an article that matches an on-theme event closely enough is on-theme anyway; below it, off-theme at once.",
    ),
    entities: described(z.array(ENTITY_SCHEMA), "The theme's named entities."),
    terms: described(z.array(TERM_SCHEMA), "The theme's words and phrases."),
  }),
  "An eventwire theme: what it follows and how an article's relevance to it is scored (docs/themes.md).",
);

/** How many of a value's problems a message lists. */
const PROBLEMS_SHOWN = 3;

/** The problems zod cannot see: fields that must agree with each other. */
function crossFieldProblems(theme: ThemeDefinition): string[] {
  const problems: string[] = [];
  if (theme.followUpThreshold > theme.threshold)
    problems.push(`followUpThreshold: ${theme.followUpThreshold} must not exceed threshold (${theme.threshold})`);
  const seen = new Map<string, number>();
  for (const [index, entity] of theme.entities.entries()) {
    const first = seen.get(entity.id);
    if (first !== undefined) problems.push(`entities.${index}.id: "${entity.id}" is already the id of entities.${first}`);
    else seen.set(entity.id, index);
  }
  for (const [index, term] of theme.terms.entries()) {
    // A term of stop words only has no stems: it would never match anything.
    if (contentTerms(term.term).length === 0)
      problems.push(`terms.${index}.term: "${term.term}" has no word the scorer reads (stop words only)`);
  }
  return problems;
}

/**
 * Validates a theme definition (a theme file's parsed JSON; its `$schema` key is dropped). A bad
 * one is an error naming `origin` and the field: `theme file x.json: entities.3.aliases: …`.
 */
export function parseTheme(raw: unknown, origin: string): ThemeDefinition {
  const result = THEME_SCHEMA.safeParse(raw);
  const problems = result.success
    ? crossFieldProblems(result.data)
    : result.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
  if (problems.length > 0 || !result.success) {
    const more = problems.length > PROBLEMS_SHOWN ? `; and ${problems.length - PROBLEMS_SHOWN} more` : "";
    throw new Error(`theme ${origin}: ${problems.slice(0, PROBLEMS_SHOWN).join("; ")}${more}`);
  }
  const { $schema: _schema, ...theme } = result.data;
  return theme;
}

/** The JSON Schema (draft 2020-12) of a theme file, generated from the schema `parseTheme` applies. */
export function themeJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(THEME_SCHEMA, { io: "input", target: "draft-2020-12" }) as Record<string, unknown>;
}

export const DEFAULT_THEME_ID = "isis-syria";

/** The themes shipped with eventwire, which a deployment may follow by id. */
export const BUILTIN_THEMES: readonly ThemeDefinition[] = [parseTheme(isisSyria, "isis-syria.json")];

/** The themes a deployment follows when it names none: ISIS and the Syrian conflict. */
export const DEFAULT_THEMES: readonly ThemeDefinition[] = BUILTIN_THEMES.filter((theme) => theme.id === DEFAULT_THEME_ID);

/** The theme with this id, or undefined. */
export function findTheme<T extends { id: string }>(themes: readonly T[], id: string): T | undefined {
  return themes.find((theme) => theme.id === id);
}
