import { existsSync } from "node:fs";
import { join } from "node:path";
import { canonicalizeUrl, htmlToText } from "@eventwire/core";
import { listFiles, readBytes, requireCorpus } from "./corpus";
import { type ProductRead, readThroughProduct } from "./read-through-product";

/** Inputs with nothing to compare: not a feed, or a feed rss-parser keeps no output for. */
export const EXEMPT: Record<string, string> = {
  "unrecognized.rss": "not a feed: the product must refuse it with a sentence",
  "itunes-missing-image.rss": "rss-parser keeps no expected output for it: read without a crash",
};

/** Why an item's field may differ from rss-parser's on purpose. */
export const RSS_PARSER_DELIBERATE = {
  "absolute-links": "a relative link is resolved against the feed's URL (RFC 3986 §5.1.3); rss-parser hands it over as written",
  "title-fallback":
    "an item without a title is titled by the start of its text, so that it can be listed; rss-parser leaves the title out",
  "declared-charset":
    "the bytes are decoded in the charset the document declares; rss-parser reads every file as UTF-8, so its expected titles carry replacement characters where the product has the right letters",
  "plain-title":
    "a title that is plain text (no end tag, no character reference) keeps its angle brackets; rss-parser's expected text is the raw string",
} as const;

type ItemComparison = {
  index: number;
  field: "title" | "link";
  expected: string;
  actual: string;
  verdict: "agree" | "differ" | "deliberate";
  reason?: keyof typeof RSS_PARSER_DELIBERATE;
};

export type RssParserOutcome = {
  input: string;
  exempt: string | null;
  crash: string | null;
  read: ProductRead | null;
  expectedItems: number;
  comparisons: ItemComparison[];
};

type ExpectedItem = { title?: string; link?: string };

/** rss-parser's expected output; files it wrote from mis-decoded bytes are read as Latin-1. */
function readExpected(root: string, name: string): ExpectedItem[] | null {
  const file = join("test", "output", `${name.replace(/\.[^.]+$/, "")}.json`);
  if (!existsSync(join(root, file))) return null;
  const bytes = readBytes(root, file);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    text = bytes.toString("latin1");
  }
  const parsed = JSON.parse(text) as { feed?: { items?: ExpectedItem[] } };
  return parsed.feed?.items ?? [];
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** Runs each of rss-parser's inputs through the product and compares titles and links with its output. */
export async function runRssParserCorpus(): Promise<RssParserOutcome[]> {
  const root = requireCorpus("rss-parser");
  const inputs = listFiles(root, join("test", "input")).map((file) => file.split("/").pop() ?? file);
  const outcomes: RssParserOutcome[] = [];
  for (const input of inputs) {
    const url = `http://127.0.0.1:8097/rss-parser/test/input/${input}`;
    const outcome: RssParserOutcome = {
      input,
      exempt: EXEMPT[input] ?? null,
      crash: null,
      read: null,
      expectedItems: 0,
      comparisons: [],
    };
    outcomes.push(outcome);
    try {
      outcome.read = await readThroughProduct(readBytes(root, join("test", "input", input)), null, url);
    } catch (error) {
      outcome.crash = error instanceof Error ? (error.stack ?? error.message) : String(error);
      continue;
    }
    const expected = outcome.exempt === null ? readExpected(root, input) : null;
    if (expected === null) continue;
    outcome.expectedItems = expected.length;
    expected.forEach((item, index) => {
      const fields = outcome.read?.items[index]?.fields;
      if (item.title !== undefined) {
        const want = oneLine(htmlToText(item.title));
        const got = fields?.title ?? "(no item)";
        let verdict: ItemComparison["verdict"] = want === got ? "agree" : "differ";
        let reason: ItemComparison["reason"];
        if (verdict === "differ" && want.includes("\uFFFD")) [verdict, reason] = ["deliberate", "declared-charset"];
        else if (verdict === "differ" && oneLine(item.title) === got) [verdict, reason] = ["deliberate", "plain-title"];
        outcome.comparisons.push({ index, field: "title", expected: want, actual: got, verdict, ...(reason ? { reason } : {}) });
      } else if (fields?.title) {
        outcome.comparisons.push({
          index,
          field: "title",
          expected: "(none)",
          actual: fields.title,
          verdict: "deliberate",
          reason: "title-fallback",
        });
      }
      if (item.link !== undefined) {
        const got = fields?.url ?? "(no link)";
        const exact = canonicalizeUrl(item.link);
        const resolved = canonicalizeUrl(item.link, url);
        const comparison: ItemComparison =
          exact !== null
            ? { index, field: "link", expected: item.link, actual: got, verdict: exact === got ? "agree" : "differ" }
            : resolved === got
              ? { index, field: "link", expected: item.link, actual: got, verdict: "deliberate", reason: "absolute-links" }
              : { index, field: "link", expected: item.link, actual: got, verdict: "differ" };
        outcome.comparisons.push(comparison);
      }
    });
  }
  return outcomes;
}
