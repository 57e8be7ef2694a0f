import { en } from "zod/locales";
import * as z from "zod/mini";
import { ENTITY_TYPES, nameKey, nameWords } from "./text-features/entities";
import type { ThemeDefinition } from "./text-features/theme-score";
import { contentTerms } from "./text-features/tokens";
import isisSyria from "./themes/isis-syria.json" with { type: "json" };
import yemenRedSea from "./themes/yemen-red-sea.json" with { type: "json" };

// zod/mini: every function parses its themes at start, and only the API needs the rest of zod.
z.config(en());

const unit = () => z.number().check(z.gte(0), z.lte(1));
const text = () => z.string().check(z.minLength(1));

// What each field means is in theme-json-schema.ts, which only the API's bundle takes in.
const ENTITY_SCHEMA = z.strictObject({
  id: text(),
  type: z.enum(ENTITY_TYPES),
  // 0: recognised for matching (its aliases read as one name), with no say in the theme score;
  // below 0: counter-evidence, a neighbouring story's actor whose mentions take from the score.
  // Bounded so that sums of weights stay finite (the shipped themes use -3 to 3).
  weight: z.number().check(z.gte(-10), z.lte(10)),
  aliases: z.array(text()).check(z.minLength(1)),
});

const TERM_SCHEMA = z.strictObject({
  term: text(),
  weight: z.number().check(z.positive(), z.lte(10)),
  supporting: z.optional(z.boolean()),
});

/** A theme file (`parseTheme`); its JSON Schema is generated from it (`themeJsonSchema`). */
export const THEME_SCHEMA = z.strictObject({
  // Names the file's JSON Schema for editors; dropped when parsed.
  $schema: z.optional(z.string()),
  id: z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "lower-case letters, digits and '-'")),
  title: text(),
  description: z.string(),
  language: z.string().check(z.minLength(2)),
  threshold: unit(),
  followUpThreshold: unit(),
  entities: z.array(ENTITY_SCHEMA),
  terms: z.array(TERM_SCHEMA),
});

/** How many of a value's problems a message lists. */
const PROBLEMS_SHOWN = 3;

/** The problems zod cannot see: fields that must agree with each other. */
function crossFieldProblems(theme: ThemeDefinition): string[] {
  const problems: string[] = [];
  if (theme.followUpThreshold > theme.threshold)
    problems.push(`followUpThreshold: ${theme.followUpThreshold} must not exceed threshold (${theme.threshold})`);
  const seen = new Map<string, number>();
  // An alias is read as one entity: a second entity with it would silently lose it to the later one.
  const aliasOwner = new Map<string, number>();
  for (const [index, entity] of theme.entities.entries()) {
    const first = seen.get(entity.id);
    if (first !== undefined) problems.push(`entities.${index}.id: "${entity.id}" is already the id of entities.${first}`);
    else seen.set(entity.id, index);
    for (const [at, alias] of entity.aliases.entries()) {
      const words = nameWords(alias);
      if (words.length === 0) {
        problems.push(`entities.${index}.aliases.${at}: "${alias}" has no word to read as a name`);
        continue;
      }
      const key = nameKey(words.join(" "));
      const owner = aliasOwner.get(key);
      if (owner !== undefined && owner !== index)
        problems.push(`entities.${index}.aliases.${at}: "${alias}" is already an alias of entities.${owner}`);
      else aliasOwner.set(key, index);
    }
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
