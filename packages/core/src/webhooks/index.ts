export type { BlockedAddressKind } from "./address-policy";
export { blockedAddressKind, isIpLiteral } from "./address-policy";
export type { AttemptResult, AttemptVerdict } from "./delivery-policy";
export {
  DISABLE_AFTER_FAILING_MS,
  judgeAttempt,
  MAX_ATTEMPTS,
  parseRetryAfter,
  RETRY_SCHEDULE_MS,
  retryAfterSeconds,
  retryDelayMs,
} from "./delivery-policy";
export type {
  ChangeCorrection,
  ChangeCounts,
  DeliveryAttempt,
  DeliveryState,
  EventChange,
  MessageType,
  PlannedMessage,
  SigningSecret,
  SubscribedType,
  Subscription,
  SubscriptionFilter,
  SubscriptionState,
  WebhookMessage,
  WebhookType,
} from "./model";
export {
  ALL_TYPES,
  compileSubscriptionFilter,
  corroborationThreshold,
  MOVED_IDS_IN_CHANGE,
  planMessages,
  WEBHOOK_TYPES,
  wantsType,
  withoutGaps,
} from "./model";
export type { WebhookPayload } from "./payload";
export { articlePayload, correctionData, eventPayload, serializePayload } from "./payload";
export { activeSecrets, generateSecret, signMessage } from "./signing";
