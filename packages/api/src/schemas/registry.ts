import * as z from "zod";
import { ARTICLE, ARTICLE_PAGE } from "./articles";
import { CORRECTION, EVENT, EVENT_DETAIL, EVENT_MERGED, EVENT_PAGE } from "./events";
import { ERROR_BODY } from "./responses";
import { NEW_SOURCE, SOURCE, SOURCE_LIST, SOURCE_SETTINGS } from "./sources";
import {
  ATTEMPT,
  ATTEMPT_PAGE,
  ATTEMPT_RESULT,
  MESSAGE,
  MESSAGE_PAGE,
  NEW_SUBSCRIPTION,
  SECRET_ROTATED,
  SUBSCRIPTION,
  SUBSCRIPTION_CREATED,
  SUBSCRIPTION_FILTER,
  SUBSCRIPTION_LIST,
  SUBSCRIPTION_PATCH,
} from "./subscriptions";
import { THEME, THEME_LIST } from "./themes";

// The query and response schemas of the JSON API live by resource beside this file. Routes
// validate with the query schemas, and /openapi.json is generated from all of them, so the
// documentation cannot drift from the code.

/** The JSON API's named schemas: /openapi.json lists them under components.schemas. */
export const API_SCHEMAS = z.registry<{ id: string }>();

// Registered here, in one list, so that components.schemas keeps this order whatever order the
// resource files load in.
const NAMED: Record<string, z.ZodType> = {
  NewSource: NEW_SOURCE,
  SourceSettings: SOURCE_SETTINGS,
  Error: ERROR_BODY,
  Event: EVENT,
  Article: ARTICLE,
  EventPage: EVENT_PAGE,
  ArticlePage: ARTICLE_PAGE,
  EventDetail: EVENT_DETAIL,
  EventCorrection: CORRECTION,
  EventMerged: EVENT_MERGED,
  Theme: THEME,
  ThemeList: THEME_LIST,
  Source: SOURCE,
  SourceList: SOURCE_LIST,
  SubscriptionFilter: SUBSCRIPTION_FILTER,
  NewSubscription: NEW_SUBSCRIPTION,
  SubscriptionPatch: SUBSCRIPTION_PATCH,
  Subscription: SUBSCRIPTION,
  SubscriptionList: SUBSCRIPTION_LIST,
  SubscriptionCreated: SUBSCRIPTION_CREATED,
  SecretRotated: SECRET_ROTATED,
  DeliveryAttempt: ATTEMPT,
  DeliveryAttemptPage: ATTEMPT_PAGE,
  AttemptResult: ATTEMPT_RESULT,
  WebhookMessage: MESSAGE,
  WebhookMessagePage: MESSAGE_PAGE,
};
for (const [id, schema] of Object.entries(NAMED)) schema.register(API_SCHEMAS, { id });
