/**
 * Key builders: the only place that knows how items are laid out in the table.
 *
 * | item    | pk                | sk        | gsi1 (collections)          | gsi2 (theme)                 | gsi3 (source)               |
 * | ------- | ----------------- | --------- | --------------------------- | ---------------------------- | --------------------------- |
 * | source  | SOURCE#<id>       | SOURCE    | SOURCES / <createdAt>#<id>  |                              |                             |
 * | article | ARTICLE#<id>      | ARTICLE   | ARTICLES / <published>#<id> | THEME#<t> / <published>#<id> | SOURCE#<s> / <published>#<id> |
 * | text    | ARTICLE#<id>      | TEXT      |                             |                              |                             |
 *
 * An article gets its gsi2 keys only while it is on-theme, so the theme index holds exactly
 * what the theme feeds serve.
 */
export const keys = {
  source: (id: string) => ({ pk: `SOURCE#${id}`, sk: "SOURCE" }),
  sourceCollection: "SOURCES",
  article: (id: string) => ({ pk: `ARTICLE#${id}`, sk: "ARTICLE" }),
  /** The article's full text, kept apart so that listings read small items. */
  articleText: (id: string) => ({ pk: `ARTICLE#${id}`, sk: "TEXT" }),
  articleCollection: "ARTICLES",
  themeArticles: (themeId: string) => `THEME#${themeId}`,
  sourceArticles: (sourceId: string) => `SOURCE#${sourceId}`,
  /** Sorts by time, ties broken by id, so a page boundary never splits equal times ambiguously. */
  byTime: (isoTime: string, id: string) => `${isoTime}#${id}`,
} as const;

export const ENTITY = {
  source: "source",
  article: "article",
  articleText: "article_text",
} as const;
