// Strict CloudFormation validation: AWS's validator, @aws/cloudformation-validate (the engine
// aws-cdk-lib bundles, pinned to the same version in package.json), run over templates in strict
// mode with no rule excluded. aws-cdk-lib's own plugin skips some rules (W3005 among them); this
// run does not. The app runs it beside its synthesis, the tests over their assembly.
//
// Input, on stdin: one JSON document a line, {"stacks": [{"template": "<name>", "body": "<the
// template's text>", "account": "...", "region": "..."}]}; the body is validated (the caller
// hashes the same bytes), the name is only reported. Output, on stdout, one line a request: a
// JSON array of every diagnostic of severity WARN or above (strict mode makes them ERROR):
// {"template", "ruleId", "severity", "logicalId", "path", "message"}. The process ends when
// stdin closes; no request (the caller stopped early) is no work.
import { createInterface } from 'node:readline';
import { RegoEngine } from '@aws/cloudformation-validate';

const options = (account, region) => ({
  strict: true,
  severityLevel: 'WARN',
  pseudoParameterOverrides: { accountId: account, region },
});
const file = (path, body) => ({ path, readBytes: () => Buffer.from(body) });

// The engine loads first (about a second), and validates a one-resource template once (its
// first validation costs ~0.2 s more than the next), then the input is read: callers start this
// process before they synthesize and send the templates once the synth is done.
const engine = new RegoEngine();
const warmUp = '{"Resources": {"Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"}}}';
engine.validateStandard(file('warm-up.json', warmUp), options('123456789012', 'us-east-1'));
try {
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    const out = [];
    for (const { template, body, account, region } of JSON.parse(line).stacks) {
      const report = engine.validateStandard(file(template, body), options(account, region));
      for (const d of report.diagnostics) {
        out.push({
          template, ruleId: d.ruleId, severity: d.severity,
          logicalId: d.entity?.logicalId ?? '', path: d.propertyPath ?? '', message: d.message,
        });
      }
    }
    process.stdout.write(JSON.stringify(out) + '\n');
  }
} finally {
  engine.free();
}
