export { acceptQuality, prefersJson } from "./accept";
export { byPublication } from "./article-order";
export type { CorrectionKind, EventCorrection } from "./corrections";
export { CORRECTIONS_SHOWN, decisionCorrections, describeCorrection } from "./corrections";
export type { EvaluationOptions, EvaluationReport, LabelledArticle } from "./evaluation";
export { byStreamOrder, describeErrors, evaluateStream, formatErrors } from "./evaluation";
export type { StreamMaintenance } from "./evaluation-maintenance";
export { eventSummary, shownEntities } from "./event-summary";
export { readFeedDate } from "./feed-date";
export type { ArticleEntryContext, FeedUrls } from "./feed-entries";
export {
  articleFeedEntry,
  chooseXmlFeedFormat,
  describeEvent,
  EVENT_ENTRY_ARTICLES,
  eventEntryArticleIds,
  eventFeedEntry,
  newestTime,
  readableTime,
} from "./feed-entries";
export type { FeedCategory, FeedDocument, FeedEntry, FeedFormat, FeedLink, FeedPageLinks } from "./feed-render";
export { FEED_CONTENT_TYPES, FEED_FORMATS, mapFeedFormats, renderFeed } from "./feed-render";
export type { GrowthBin, GrowthSeries } from "./growth-series";
export { growthAxis, growthSeries, MAX_BINS } from "./growth-series";
export { hashId } from "./hash";
export { eventLead, LEAD_CHARS, leadSentence } from "./lead-sentence";
export { decideMatch } from "./matcher/decide-match";
export type { EventMember, EventOutlet, EventState, TermWeights } from "./matcher/event";
export { EVENT_LIMITS, leadingEntities } from "./matcher/event";
export type { EventGrowth } from "./matcher/event-growth";
export { addToGrowth, GROWTH_LIMITS, growthOfMembers } from "./matcher/event-growth";
export { EventIndex, INDEX_WINDOW } from "./matcher/event-index";
export { combined as combinedTerms, nextEventState } from "./matcher/grow-event";
export { LEAD_MIN_WEIGHT, LEAD_PASSING_SHARE, leadName, leadsDiffer, namedWeight } from "./matcher/lead-names";
export type {
  AppliedDecision,
  EventWithArticles,
  MaintenanceArticle,
  MaintenanceDecision,
  MaintenanceExplanation,
  MaintenancePlanner,
  MergeDecision,
  SplitDecision,
} from "./matcher/maintenance-apply";
export { applyDecision, applyInMemory, MAINTENANCE_LIMITS, rebuildEvent } from "./matcher/maintenance-apply";
export { planMaintenance } from "./matcher/maintenance-plan";
export { importExplanation, importIntoEvent, matchInMemory } from "./matcher/match-in-memory";
export type { MatchDecision, MatchExplanation, Matcher, MatchInput, PreparedArticle } from "./matcher/matcher";
export { createMatcher, eventIdFor } from "./matcher/matcher";
export { createThemeMatcher, createUnfilteredMatcher, parseMatcherModel, SHIPPED_MODEL } from "./matcher/model";
export type { Reconsidered } from "./matcher/pending-pool";
export {
  addPending,
  addPendingAll,
  PENDING_LIMITS,
  preparePending,
  reconsiderPending,
  removePending,
} from "./matcher/pending-pool";
export { prepareArticle } from "./matcher/prepare-article";
export type { ArticleVectors, DecisionProfile, LengthProfiles, MatcherModel, SignalName, Signals } from "./matcher/signals";
export {
  computeSignals,
  MIN_SHARED_TEXT,
  matchProbability,
  profileFor,
  SIGNAL_NAMES,
  SUMMARY_MAX_TERMS,
  sharesText,
} from "./matcher/signals";
export type { TermWords } from "./matcher/term-words";
export { termWord } from "./matcher/term-words";
export type { TrainingPair, TrainingSet } from "./matcher/train";
export { collectTrainingPairs, fitLogistic, overlapEvents, seededRandom } from "./matcher/train";
export type { PRF } from "./metrics";
export { bcubed, binaryPrf, nmi, pairwise } from "./metrics";
export type { FeedItemFields, NormalizeContext, NormalizeResult } from "./normalize-article";
export { ARTICLE_LIMITS, contentHashOf, normalizeFeedItem, readFeedItemFields, sourceIdForUrl } from "./normalize-article";
export type { NewsAgency } from "./outlets/agencies";
export { findAgency, NEWS_AGENCIES } from "./outlets/agencies";
export type { AttributedArticle, Attribution, Outlet } from "./outlets/attribution";
export { attributeArticle, outletOfName, sourceOutlet } from "./outlets/attribution";
export type { CarryingOutlet } from "./outlets/carried-by";
export { outletsWithCarriers } from "./outlets/carried-by";
export type { Credit, CreditForm } from "./outlets/credit-line";
export { readCredit } from "./outlets/credit-line";
export type { TokenBucket, TokenBucketPolicy, TokenDecision } from "./rate-limit";
export { isBucketFull, takeToken } from "./rate-limit";
export type { ArticleFilter, EventFilter } from "./search";
export {
  articleHoldsTerms,
  articleMatchesFilter,
  entityKeys,
  eventMatchesFilter,
  searchTerms,
  textsContainTerms,
} from "./search";
export type { TermDigest, TimeBucket } from "./search-digest";
export {
  addToDigest,
  articleSearchTerms,
  bucketOf,
  closedBefore,
  createDigest,
  digestMayHold,
  isLateWrite,
  SEARCH_INDEX,
} from "./search-digest";
export type { NewSourceInput, NewSourceResult, PollHints, SourceStatus } from "./source-schedule";
export {
  createSource,
  failedPoll,
  isSourceDue,
  nextPollAfterFailure,
  nextPollAfterSuccess,
  POLL_POLICY,
  pollIntervalAfterSuccess,
  sourceStatus,
} from "./source-schedule";
export {
  collapseWhitespace,
  decodeWindows1252,
  errorMessage,
  escapeHtml,
  htmlToText,
  plural,
  removeXmlInvalidChars,
  repairC1Controls,
  truncateText,
} from "./text";
export type { EntityCounts, EntityDefinition, EntityDictionary, EntityType } from "./text-features/entities";
export { compileEntities, ENTITY_TYPES, extractEntities } from "./text-features/entities";
export type { ArticleFeatures } from "./text-features/features";
export { extractFeatures } from "./text-features/features";
export type { SimHash } from "./text-features/simhash";
export { formatSimHash, hammingDistance, parseSimHash, shingles, simhash } from "./text-features/simhash";
export type { CompiledTheme, ThemeDefinition, ThemeScore } from "./text-features/theme-score";
export { compileTheme, poolEvidence, scoreEvidence, scoreTheme, themeEvidence } from "./text-features/theme-score";
export { contentTerms, countTerms, foldText, stem, wordTokens } from "./text-features/tokens";
export { themeJsonSchema } from "./theme-json-schema";
export type { SuggestExample, SuggestedItem, SuggestedRole, SuggestOptions, ThemeSuggestion } from "./theme-suggest";
export { fitThemeThresholds, logOddsRatio, suggestTheme } from "./theme-suggest";
export { groupNames, namesAlike, writtenForms } from "./theme-suggest-names";
export { BUILTIN_THEMES, DEFAULT_THEME_ID, DEFAULT_THEMES, findTheme, parseTheme } from "./themes";
export type { Article, ArticleSummary, Log, RawFeedItem, Source, Theme } from "./types";
export { canonicalizeUrl, isWebUrl, MAX_URL_LENGTH } from "./url";
export * from "./webhooks/index";
