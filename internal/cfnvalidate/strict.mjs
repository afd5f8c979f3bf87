// Strict CloudFormation validation: AWS's validator, @aws/cloudformation-validate (the engine
// aws-cdk-lib bundles, pinned to the same version in package.json), run over templates in strict
// mode with no rule excluded. aws-cdk-lib's own plugin skips some rules (W3005 among them); this
// run does not. The app runs it beside its synthesis, the tests over their assembly.
//
// Input, one JSON document on stdin: {"stacks": [{"template": "<path>", "account": "...", "region": "..."}]}.
// Output, on stdout: a JSON array of every diagnostic of severity WARN or above (strict mode makes
// them ERROR): {"template", "ruleId", "severity", "logicalId", "path", "message"}. Empty input
// (the caller stopped early) is no work.
import { readFileSync } from 'node:fs';
import { RegoEngine, TemplateFile } from '@aws/cloudformation-validate';

const options = (account, region) => ({
  strict: true,
  severityLevel: 'WARN',
  pseudoParameterOverrides: { accountId: account, region },
});

// The engine loads first (about a second), and validates a one-resource template once (its
// first validation costs ~0.2 s more than the next), then the input is read: callers start this
// process before they synthesize and send the templates once the synth is done.
const engine = new RegoEngine();
const warmUp = '{"Resources": {"Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"}}}';
engine.validateStandard({ path: 'warm-up.json', readBytes: () => Buffer.from(warmUp) }, options('123456789012', 'us-east-1'));
const input = readFileSync(0, 'utf8');
const out = [];
try {
  for (const { template, account, region } of input.trim() === '' ? [] : JSON.parse(input).stacks) {
    const report = engine.validateStandard(new TemplateFile(template), options(account, region));
    for (const d of report.diagnostics) {
      out.push({
        template, ruleId: d.ruleId, severity: d.severity,
        logicalId: d.entity?.logicalId ?? '', path: d.propertyPath ?? '', message: d.message,
      });
    }
  }
} finally {
  engine.free();
}
process.stdout.write(JSON.stringify(out));
