/** Settings every eventwire function shares. */
export const FUNCTION_DEFAULTS = {
  runtime: "nodejs22.x",
  architecture: "arm64",
  environment: { EVENTWIRE_LOG_FORMAT: "json" },
} as const;
