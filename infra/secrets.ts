/** Bearer token for the management routes: `npx sst secret set AdminKey <at least 16 characters>`. */
export const adminKey = new sst.Secret("AdminKey");
