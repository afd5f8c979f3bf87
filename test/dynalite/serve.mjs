#!/usr/bin/env node
// An in-memory DynamoDB (dynalite, pinned in package.json) on loopback, for the end-to-end test
// of the functions (test/calls, make test-calls). It listens on an ephemeral port of 127.0.0.1,
// prints that port on one line, and exits when its stdin closes (the test binary ends).
import dynalite from 'dynalite';

// No artificial delays: a created table is ACTIVE at once.
const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${server.address().port}\n`);
});
server.on('error', (err) => {
  process.stderr.write(`dynalite: ${err.message}\n`);
  process.exit(1);
});
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
