import type { Theme } from "@eventwire/core";
import type { PipelineConfig, PipelineDeps } from "@eventwire/pipeline";

export type ApiConfig = PipelineConfig & {
  /** The themes served as feeds. */
  themes: readonly Theme[];
  /** Bearer token for management routes; null turns them off (503). */
  adminKey: string | null;
  /** Key that signs pagination cursors. */
  cursorSecret: string;
  /** Base URL for links in feeds; when null, the request's own origin is used. */
  publicUrl: string | null;
  /** Items in one feed document or page. */
  feedLimit: number;
  /** max-age of feed, page and JSON GET responses, in seconds. */
  cacheMaxAgeSeconds: number;
  version: string;
};

export type ApiDeps = Omit<PipelineDeps, "config"> & { config: ApiConfig };
