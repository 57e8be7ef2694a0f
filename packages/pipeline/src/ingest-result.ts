/** What one fetch of a source did with the feed's items. */
export type IngestCounts = {
  /** Items in the feed document. */
  items: number;
  /** New articles stored. */
  stored: number;
  /** Items already stored unchanged, and re-published copies of stored articles. */
  duplicates: number;
  /** Stored articles whose title or text the feed had edited: updated in place. */
  updated: number;
  /** New articles left for the next poll, past the per-fetch cap. */
  deferred: number;
  /** Items that could not become articles, or that the store refused. */
  skipped: number;
};

export type IngestSourceResult =
  | ({
      ok: true;
      sourceId: string;
      url: string;
      /** `busy`: another run claimed this source first, so this one left it alone. */
      status: "fetched" | "not-modified" | "busy";
    } & IngestCounts)
  | { ok: false; sourceId: string; url: string; error: string; retryable: boolean };
