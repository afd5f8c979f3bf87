// Every test file's setup (vitest.config.ts): after each test, its AWS calls go into its metadata
// (aws-calls.ts), and the mocks are reset; calls sent outside any test go into the module's.
// Around the whole test, so its own hooks' calls count as its own, whatever they do or throw.
import { afterAll, aroundEach } from 'vitest';

import { takeCalls, type RecordedCall } from './aws-calls';

const outside: RecordedCall[] = [];
const outsideProblems: string[] = [];

aroundEach(async (runTest, context) => {
  const before = takeCalls(); // since the last test: beforeAll hooks
  outside.push(...before.calls);
  outsideProblems.push(...before.problems);
  await runTest();
  const { calls, problems } = takeCalls();
  // Tests that run at the same time share the mocks: whose call is whose cannot be told, so their
  // calls are recorded as the module's, and the test fails.
  if (calls.length > 0 && context.task.concurrent) {
    outside.push(...calls);
    problems.push('a concurrent test sent AWS calls, which cannot be told from those of the tests beside it: make it sequential');
  } else if (calls.length > 0) {
    context.task.meta.awsCalls = calls;
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
});

afterAll(({}, testModule) => {
  const { calls, problems } = takeCalls();
  outside.push(...calls);
  outsideProblems.push(...problems);
  if (outside.length > 0) testModule.meta.awsCalls = outside;
  if (outsideProblems.length > 0) throw new Error(outsideProblems.join('\n'));
});
