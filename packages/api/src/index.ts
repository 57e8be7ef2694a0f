export type { App } from "./app";
export { createApp } from "./app";
export { decodeCursor, encodeCursor } from "./cursor";
export type { ApiConfig, ApiDeps, IngestRunner } from "./deps";
export { ApiError } from "./errors";
export type { PreparedBody } from "./http-cache";
export { cachedGet, keepableMs } from "./http-cache";
export { openApiDocument } from "./openapi";
export type { ClientAddress, RateLimiter } from "./rate-limit";
export { createMemoryRateLimiter } from "./rate-limit";
export { clientErrorAnswer, MAX_BODY_BYTES, MAX_URL_LENGTH, type RawErrorAnswer } from "./request-limits";
export type { Loaded, ResponseCache, ResponseCacheOptions } from "./response-cache";
export { createResponseCache } from "./response-cache";
export {
  ARTICLE,
  ARTICLE_PAGE,
  ARTICLES_QUERY,
  EVENT_DETAIL,
  EVENT_PAGE,
  EVENTS_QUERY,
  SOURCE,
  SOURCE_LIST,
  THEME_LIST,
} from "./schemas";
