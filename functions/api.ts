import { createApp } from "@eventwire/api";
import { getConnInfo, handle } from "hono/aws-lambda";
import { apiLambdaDeps } from "./lambda-deps";

/** HTTP entry (Lambda function URL or API Gateway v2): the same app the local runner serves. */
// Function URLs and API Gateway give the caller's address (behind a CDN it is the CDN's).
export const handler = handle(createApp(apiLambdaDeps((c) => getConnInfo(c).remote.address)));
