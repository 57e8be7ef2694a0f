/**
 * Bearer token for the management routes: `npx sst secret set AdminKey <at least 16 characters>
 * --stage production`. It has no placeholder, so a deploy to a stage where it was never set stops
 * with SST's missing-secret error: set it for each stage before its first deploy.
 */
export const adminKey = new sst.Secret("AdminKey");
