import { en } from "zod/locales";
import * as z from "zod/mini";
import { compileEntities } from "../text-features/entities";
import { compileTheme, type ThemeDefinition } from "../text-features/theme-score";
import { createMatcher, type Matcher } from "./matcher";
import shippedModel from "./model.json" with { type: "json" };
import { type MatcherModel, SIGNAL_NAMES } from "./signals";

// zod/mini: every function parses the shipped model at start, and only the API needs the rest of zod.
z.config(en());

const unit = () => z.number().check(z.gte(0), z.lte(1));

const PROFILE_SCHEMA = z.strictObject({
  bias: z.number(),
  weights: z.strictObject(
    Object.fromEntries(SIGNAL_NAMES.map((name) => [name, z.number()])) as Record<(typeof SIGNAL_NAMES)[number], z.ZodMiniNumber>,
  ),
  attachThreshold: unit(),
  followUpThreshold: unit(),
});

const LENGTH_PROFILES_SCHEMA = z.strictObject({ full: PROFILE_SCHEMA, summary: PROFILE_SCHEMA, titleOnly: PROFILE_SCHEMA });

const MODEL_SCHEMA = z.strictObject({
  dated: LENGTH_PROFILES_SCHEMA,
  undated: LENGTH_PROFILES_SCHEMA,
  copyMaxHamming: z.number().check(z.int(), z.gte(0), z.lte(32)),
  windowDays: z.number().check(z.positive()),
  maxCandidates: z.number().check(z.int(), z.positive()),
});

/** Validates a matcher model (model.json, or one a training run wrote). */
export function parseMatcherModel(raw: unknown, origin: string): MatcherModel {
  const result = MODEL_SCHEMA.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`matcher model ${origin}: ${issue?.path.join(".") || "(root)"}: ${issue?.message}`);
  }
  return result.data;
}

/** The model shipped with eventwire (trained by `npm run train`). */
export const SHIPPED_MODEL: MatcherModel = parseMatcherModel(shippedModel, "model.json");

/** A matcher for a theme: its entity aliases feed the features, its terms the theme filter. */
export function createThemeMatcher(theme: ThemeDefinition, model: MatcherModel = SHIPPED_MODEL): Matcher {
  const compiled = compileTheme(theme);
  return createMatcher(theme.id, model, compiled, compiled.dictionary);
}

/** A matcher with no theme filter (every article is on-theme), for data without a theme. */
export function createUnfilteredMatcher(themeId: string, model: MatcherModel = SHIPPED_MODEL): Matcher {
  return createMatcher(themeId, model, null, compileEntities([]));
}
