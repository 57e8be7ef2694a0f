import { findTheme, type Log, type MaintenancePlanner, type MatcherModel, type ThemeDefinition } from "@eventwire/core";
import type { Store } from "@eventwire/store";
import type { FetchGuard } from "./fetch-feed";
import type { MatcherRegistry } from "./matcher-cache";
import type { ResolveHost } from "./url-guard";
import type { WebhookSender } from "./webhooks/webhook-sender";

/** How webhooks are delivered. */
export type WebhookSettings = {
  /** EVENTWIRE_ALLOW_PRIVATE_URLS: endpoints on loopback and private addresses are allowed (local receivers). */
  allowPrivateUrls: boolean;
  /** Deadline of one attempt, connection to last byte. */
  timeoutMs: number;
  /** Attempts in flight to one subscription at once. */
  concurrencyPerEndpoint: number;
  /** Base of the links in messages (EVENTWIRE_PUBLIC_URL, or the local server's address); null: paths only. */
  linkBaseUrl: string | null;
};

/** Settings the use cases read; built and validated once by functions/ or the local runner. */
export type PipelineConfig = {
  /**
   * The themes every ingested article is judged against, in this order (never empty): the first
   * that judges an article stores it with its judgement, each further one a membership of it.
   */
  themes: readonly ThemeDefinition[];
  /** The matcher's trained weights and thresholds. */
  model: MatcherModel;
  fetchTimeoutMs: number;
  maxFeedBytes: number;
  userAgent: string;
  /** Sources fetched at the same time in one run. */
  ingestConcurrency: number;
  webhooks: WebhookSettings;
  /** Redirects followed per request (default 5). */
  maxRedirects?: number | undefined;
  /**
   * New articles stored per source and fetch (default 500), newest first; the rest wait for the
   * next poll, which then comes soon. Bounds a run's time and writes however long a feed is.
   */
  maxItemsPerFetch?: number | undefined;
  /** Article pages fetched per source and fetch for sources with `fullText` (default 10). */
  fullTextPerFetch?: number | undefined;
};

/** What every use case receives: nothing here is created at import time. */
export type PipelineDeps = {
  store: Store;
  fetch: typeof fetch;
  now: () => Date;
  random: () => number;
  log: Log;
  config: PipelineConfig;
  /** This process's caches of the table's events, one per theme (rebuilt on a cold start). */
  matchers: MatcherRegistry;
  /** Decides which recent events a maintenance pass merges or splits (pure: the pass stores what it decides). */
  planner: MaintenancePlanner;
  /** Resolves host names for the URL guard; the system resolver when absent. */
  resolveHost?: ResolveHost;
  /** The webhook client; one is made per deps on first use when absent. */
  webhookSender?: WebhookSender;
  /**
   * Checks every URL before it is fetched (feeds, redirect hops, article pages); throws to
   * refuse, and the message becomes the source's error. Absent: every URL is allowed.
   */
  guard?: FetchGuard | undefined;
};

/** The first of the deployment's themes: the one a request or a command that names none is about. */
export function firstTheme(deps: Pick<PipelineDeps, "config">): ThemeDefinition {
  const theme = deps.config.themes[0];
  if (theme === undefined) throw new Error("the pipeline's config names no theme");
  return theme;
}

/** The deployment's theme with this id; an error naming the themes when there is none. */
export function themeOf(deps: Pick<PipelineDeps, "config">, themeId: string): ThemeDefinition {
  const theme = findTheme(deps.config.themes, themeId);
  if (theme === undefined) {
    throw new Error(`no theme "${themeId}" (themes: ${deps.config.themes.map((each) => each.id).join(", ")})`);
  }
  return theme;
}
