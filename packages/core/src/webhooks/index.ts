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
  DeliveryAttempt,
  DeliveryState,
  EventChange,
  MessageType,
  PlannedMessage,
  SigningSecret,
  Subscription,
  SubscriptionFilter,
  SubscriptionState,
  WebhookMessage,
  WebhookType,
} from "./model";
export { compileSubscriptionFilter, corroborationThreshold, planMessages, WEBHOOK_TYPES, withoutGaps } from "./model";
export type { WebhookPayload } from "./payload";
export { articlePayload, eventPayload, serializePayload } from "./payload";
export { activeSecrets, generateSecret, signMessage } from "./signing";
