// Writes test-results/aws-calls.json at the end of each vitest run: every AWS call the tests'
// server code sent (aws-calls.ts), one entry per command, tests in file order and then their order
// in the file, whatever order and in whichever worker they ran. Written when tests failed too;
// not written when the run was interrupted (the file is removed as each run starts, so it is never
// an earlier run's). A reporter given on the command line (--reporter) replaces the configured
// ones, this one too: then there is no file.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Reporter, TestModule, TestRunEndReason, Vitest } from 'vitest/node';

import type { AwsCall } from './aws-calls';

export default class AwsCallsReporter implements Reporter {
  private file = '';

  onInit(vitest: Vitest): void {
    this.file = join(vitest.config.root, 'test-results', 'aws-calls.json');
  }

  onTestRunStart(): void {
    rmSync(this.file, { force: true });
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>, _errors: unknown, reason: TestRunEndReason): void {
    if (reason === 'interrupted') return;
    const calls: AwsCall[] = [];
    for (const testModule of [...modules].sort((a, b) => a.moduleId.localeCompare(b.moduleId))) {
      for (const test of testModule.children.allTests()) {
        calls.push(...(test.meta().awsCalls ?? []).map((call) => ({ test: test.fullName, ...call })));
      }
      // Sent in beforeAll or afterAll hooks: no test's.
      calls.push(...(testModule.meta().awsCalls ?? []).map((call) => ({ test: `${testModule.relativeModuleId} (outside any test)`, ...call })));
    }
    mkdirSync(join(this.file, '..'), { recursive: true });
    writeFileSync(this.file, `${JSON.stringify(calls, null, 2)}\n`);
  }
}
