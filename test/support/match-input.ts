import { contentHashOf, type MatchInput } from "@eventwire/core";

/** A dated report as the matcher reads it: its summary is its text, its source `<id>.example`. */
export function matchInput(id: string, publishedAt: string, title: string, text: string): MatchInput {
  return {
    id,
    sourceId: `${id}.example`,
    title,
    text,
    summary: text,
    publishedAt,
    dated: true,
    contentHash: contentHashOf(title, text),
  };
}
