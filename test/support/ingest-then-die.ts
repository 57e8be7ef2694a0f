// Run as a child process by the themes tests: ingests the due sources of the table named by TABLE
// with two themes, and dies with SIGKILL once the first theme's commits are stored, as the second
// theme's first commit is about to be written.
import { ingestDueSources } from "@eventwire/pipeline";
import { createDynamoClients, createStore, type Store } from "@eventwire/store";
import { createTestDeps } from "./deps";
import { RIVERS_THEME, TWO_THEMES } from "./themes";

const clients = createDynamoClients({ endpoint: process.env.DYNAMODB_ENDPOINT });
const store = createStore(clients, String(process.env.TABLE));
const dying: Store = {
  ...store,
  events: {
    ...store.events,
    commitMatches: (input) => {
      if (input.themeId === RIVERS_THEME.id) process.kill(process.pid, "SIGKILL");
      return store.events.commitMatches(input);
    },
  },
};
await ingestDueSources(createTestDeps(dying, { themes: TWO_THEMES }, String(process.env.AT)));
process.stderr.write("the ingest ended without being killed\n");
process.exit(3);
