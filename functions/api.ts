import { createApp } from "@eventwire/api";
import { handle } from "hono/aws-lambda";
import { apiLambdaDeps } from "./lambda-deps";

/** HTTP entry (Lambda function URL or API Gateway v2): the same app the local runner serves. */
export const handler = handle(createApp(apiLambdaDeps()));
