// Run as a child process by the maintenance tests: a maintenance pass over the table named by
// TABLE, merging the event FROM into INTO, that dies with SIGKILL part-way. DIE=decision: right
// after the decision's transaction is stored, before any article has moved; DIE=moves: after
// the first of its articles have moved.
import { maintainEvents } from "@eventwire/pipeline";
import { createDynamoClients, createStore } from "@eventwire/store";
import { createTestDeps } from "./deps";
import { mergeWhenRecent } from "./maintenance";

const clients = createDynamoClients({ endpoint: process.env.DYNAMODB_ENDPOINT });
const store = createStore(clients, String(process.env.TABLE));
const die = process.env.DIE;
const dying = {
  ...store,
  events: {
    ...store.events,
    commitDecision: async (input: Parameters<typeof store.events.commitDecision>[0]) => {
      const outcome = await store.events.commitDecision(input);
      if (die === "decision") process.kill(process.pid, "SIGKILL");
      return outcome;
    },
    moveArticles: async (moves: Parameters<typeof store.events.moveArticles>[0]) => {
      const moved = await store.events.moveArticles({ ...moves, articleIds: moves.articleIds.slice(0, 1) });
      if (die === "moves") process.kill(process.pid, "SIGKILL");
      return moved;
    },
  },
};
const deps = createTestDeps(dying, {}, String(process.env.AT));
deps.planner = mergeWhenRecent(String(process.env.INTO), String(process.env.FROM));
await maintainEvents(deps);
process.stderr.write("the pass ended without being killed\n");
process.exit(3);
