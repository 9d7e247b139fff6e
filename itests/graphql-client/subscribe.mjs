// Subscribes to EventDBX's `events` subscription with graphql-sse (distinct connections mode) and prints each
// event as one JSON line; exits 0 after `count` events, 2 on an error (printed as "ERROR <json>").
// Usage: node subscribe.mjs <graphql url> <token> <count> <from position> [aggregate type]
import { createClient } from 'graphql-sse';

const [url, token, count, from, type] = process.argv.slice(2);
const client = createClient({ url, headers: { Authorization: `Bearer ${token}` }, retryAttempts: 0 });
const query = `subscription Watch($from: Long, $type: String) {
  events(from: $from, aggregate_type: $type) { aggregate_type aggregate_id version event_type payload position }
}`;
let seen = 0;
try {
  await new Promise((resolve, reject) => {
    const dispose = client.subscribe(
      { query, variables: { from: Number(from), type: type ?? null } },
      {
        next: (result) => {
          if (result.errors) {
            reject(new Error(JSON.stringify(result.errors)));
            return;
          }
          console.log(JSON.stringify(result.data.events));
          seen += 1;
          if (seen >= Number(count)) {
            dispose();
            resolve();
          }
        },
        error: (error) => reject(error instanceof Error ? error : new Error(JSON.stringify(error))),
        complete: resolve,
      },
    );
  });
  client.dispose();
  process.exit(0);
} catch (error) {
  console.log(`ERROR ${error.message}`);
  client.dispose();
  process.exit(2);
}
