export type { App } from "./app";
export { createApp } from "./app";
export { decodeCursor, encodeCursor } from "./cursor";
export type { ApiConfig, ApiDeps } from "./deps";
export { ApiError } from "./errors";
export type { ClientAddress, RateLimiter } from "./rate-limit";
export { createMemoryRateLimiter } from "./rate-limit";
