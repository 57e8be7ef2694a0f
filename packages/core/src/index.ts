export type { FeedCategory, FeedDocument, FeedEntry, FeedFormat } from "./feed-render";
export { FEED_CONTENT_TYPES, FEED_FORMATS, renderFeed } from "./feed-render";
export { hashId } from "./hash";
export type { NormalizeContext, NormalizeResult } from "./normalize-article";
export { ARTICLE_LIMITS, normalizeFeedItem, sourceIdForUrl } from "./normalize-article";
export type { NewSourceInput, NewSourceResult } from "./source-schedule";
export {
  createSource,
  isSourceDue,
  nextPollAfterFailure,
  nextPollAfterSuccess,
  POLL_POLICY,
} from "./source-schedule";
export { collapseWhitespace, errorMessage, escapeHtml, htmlToText, removeXmlInvalidChars, truncateText } from "./text";
export { DEFAULT_THEME_ID, DEFAULT_THEMES, findTheme } from "./themes";
export type { Article, ArticleSummary, Log, RawFeedItem, Source, Theme } from "./types";
export { canonicalizeUrl, MAX_URL_LENGTH } from "./url";
