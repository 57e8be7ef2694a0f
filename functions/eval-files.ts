import { readFileSync } from "node:fs";
import {
  ARTICLE_LIMITS,
  type Article,
  canonicalizeUrl,
  contentHashOf,
  hashId,
  type LabelledArticle,
  truncateText,
} from "@eventwire/core";
import * as z from "zod";

/** A labelled article as the evaluation files hold it (../shared/data/README.md). */
const RECORD = z.object({
  id: z.string().min(1),
  url: z.string().nullable().optional(),
  source: z.string().min(1),
  published: z.string().regex(/^\d{4}-\d{2}-\d{2}/, "a date (YYYY-MM-DD…)"),
  title: z.string(),
  text: z.string(),
  event: z.string().nullable(),
  theme: z.string(),
});

/** An MStream headline: already lower-cased and stemmed, no date, no source. */
const MSTREAM_RECORD = z.object({ Id: z.string().min(1), clusterNo: z.number().int(), textCleaned: z.string() });

export type EvalFormat = "jsonl" | "mstream";

/** An evaluation file that cannot be read or holds a bad record; the message names file and line. */
export class EvalInputError extends Error {}

function lines(file: string): { line: string; number: number }[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new EvalInputError(`cannot read ${file}: ${(error as Error).message}`);
  }
  return text
    .split("\n")
    .map((line, index) => ({ line: line.trim(), number: index + 1 }))
    .filter(({ line }) => line !== "");
}

function parseLine<T>(schema: z.ZodType<T>, file: string, line: string, number: number): T {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    throw new EvalInputError(`${file}:${number}: not a JSON object`);
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new EvalInputError(`${file}:${number}: field "${issue?.path.join(".")}": ${issue?.message}`);
  }
  return result.data;
}

/** Day-precision dates become noon UTC, so that a day's articles fall on that day in any zone. */
function toIso(published: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(published) ? `${published}T12:00:00.000Z` : new Date(published).toISOString();
}

/** Reads an evaluation file: JSON Lines of labelled articles, or the MStream format. */
export function readLabelledArticles(file: string, format: EvalFormat, onTheme: string): LabelledArticle[] {
  if (format === "mstream") {
    // No dates: every headline gets the same time, and the file order is the stream order.
    return lines(file).map(({ line, number }) => {
      const record = parseLine(MSTREAM_RECORD, file, line, number);
      return {
        input: {
          id: record.Id,
          sourceId: "mstream",
          title: record.textCleaned,
          text: "",
          summary: "",
          publishedAt: "2014-01-01T00:00:00.000Z",
          dated: false,
          contentHash: contentHashOf(record.textCleaned, ""),
        },
        event: String(record.clusterNo),
        onTheme: true,
      };
    });
  }
  return lines(file).map(({ line, number }) => {
    const record = parseLine(RECORD, file, line, number);
    return {
      input: {
        id: record.id,
        sourceId: record.source,
        title: record.title,
        text: record.text,
        // As ingest stores it: the opening of the text, bounded.
        summary: truncateText(record.text.replace(/\s+/g, " ").trim(), ARTICLE_LIMITS.summary),
        publishedAt: toIso(record.published),
        dated: true,
        contentHash: contentHashOf(record.title, record.text),
      },
      event: record.event,
      onTheme: record.theme === onTheme,
    };
  });
}

export type EvalRecord = z.output<typeof RECORD>;

/** The records of a JSON Lines evaluation file, checked. */
export function readRecords(file: string): EvalRecord[] {
  return lines(file).map(({ line, number }) => parseLine(RECORD, file, line, number));
}

/** A record as ingest would store it. Ids follow ingest's rule: the canonical URL, else the record's id. */
export function recordToArticle(record: EvalRecord, themeId: string, now: Date): Article {
  const url = record.url ? canonicalizeUrl(record.url) : null;
  const text = truncateText(record.text.trim(), ARTICLE_LIMITS.text);
  return {
    id: url !== null ? hashId("url", url) : hashId("import", record.id),
    url,
    guid: record.id,
    sourceId: record.source,
    sourceTitle: record.source,
    title: truncateText(record.title.trim(), ARTICLE_LIMITS.title),
    summary: truncateText(text.replace(/\s+/g, " "), ARTICLE_LIMITS.summary),
    text,
    author: null,
    language: null,
    publishedAt: toIso(record.published),
    dateInferred: false,
    fetchedAt: now.toISOString(),
    theme: themeId,
    onTheme: false,
    themeScore: null,
    contentHash: contentHashOf(record.title, record.text),
    eventId: null,
    explanation: null,
  };
}

/**
 * Reads labelled articles for `import-events`, as articles grouped by their gold event
 * (articles without one are left out).
 */
export function readImportGroups(file: string, themeId: string, now: Date): { groups: Article[][]; unlabelled: number } {
  const groups = new Map<string, Article[]>();
  let unlabelled = 0;
  for (const record of readRecords(file)) {
    if (record.event === null) {
      unlabelled += 1;
      continue;
    }
    groups.set(record.event, [...(groups.get(record.event) ?? []), recordToArticle(record, themeId, now)]);
  }
  return { groups: [...groups.values()], unlabelled };
}
