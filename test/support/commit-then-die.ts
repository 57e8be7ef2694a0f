// Run as a child process by the webhook tests: stores a one-article story (the matcher's
// transaction, which writes the outbox) in the table named by TABLE, then dies at once with
// SIGKILL, before any dispatcher could send a thing.
import { createDynamoClients, createStore } from "@eventwire/store";
import { storeStory } from "./events";

const clients = createDynamoClients({ endpoint: process.env.DYNAMODB_ENDPOINT });
const store = createStore(clients, String(process.env.TABLE));
await storeStory(
  store,
  {
    title: "Checkpoint attack near Palmyra",
    articles: [{ source: "outlet-a", published: "2026-05-04T08:00:00Z", title: "Checkpoint attacked near Palmyra" }],
  },
  new Date(String(process.env.AT)),
);
process.kill(process.pid, "SIGKILL");
