// Loaded by scripts/local-stack.ts into serverless-offline's process (`node --import`): its route table
// without the `POST …/2015-03-31/functions/<name>/invocations` line it prints under each route. Those
// are its own Lambda Invoke API routes, internal to the local stack (and not even on the port the table
// shows: they are served on the invoke port); the routes an S3 client uses are the others. The table is
// one console.log call of one string (serverless-offline's utils/logRoutes.js), so the filter looks
// only at calls whose single argument holds such a route.
// The table goes to stderr, with serverless-offline's other start-up lines: `npm start` holds the
// gateway's stdout (the Lambdas' log lines) back until its warm-up is over (offline-preload.ts).
const INVOKE_ROUTE = /\/2015-03-31\/functions\//;
const log = console.log.bind(console);

console.log = (...args: unknown[]) => {
  const [text] = args;
  if (args.length === 1 && typeof text === 'string' && INVOKE_ROUTE.test(text)) {
    const routes = text
      .split('\n')
      .filter((line) => !INVOKE_ROUTE.test(line))
      .join('\n');
    process.stderr.write(`${routes}\n`);
    return;
  }
  log(...args);
};
