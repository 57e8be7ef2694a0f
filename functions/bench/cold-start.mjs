// Runs in a fresh `node` process: imports one Lambda bundle, calls its handler with the event
// in argv[3], and prints one JSON line with the answer's shape and when it came.
const [bundle, eventJson] = process.argv.slice(2);
const module = await import(bundle);
const context = { awsRequestId: "bench", functionName: "bench", getRemainingTimeInMillis: () => 30_000 };
const answer = await module.handler(JSON.parse(eventJson), context);
process.stdout.write(`${JSON.stringify({ answeredAtMs: performance.timeOrigin + performance.now(), answer })}\n`);
process.exit(0);
