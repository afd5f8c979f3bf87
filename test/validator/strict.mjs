// Strict CloudFormation validation (test-only): AWS's validator, @aws/cloudformation-validate (the
// engine aws-cdk-lib bundles, pinned to the same version in package.json), run over templates in
// strict mode with no rule excluded. aws-cdk-lib's own plugin skips some rules (W3005 among them);
// this run does not.
//
// Input, one JSON document on stdin: {"stacks": [{"template": "<path>", "account": "...", "region": "..."}]}.
// Output, on stdout: a JSON array of every diagnostic of severity WARN or above (strict mode makes
// them ERROR): {"template", "ruleId", "severity", "logicalId", "path", "message"}.
import { readFileSync } from 'node:fs';
import { RegoEngine, TemplateFile } from '@aws/cloudformation-validate';

// The engine loads first (about a second), then the input is read: the Go tests start this
// process before they synthesize and send the templates once the synth is done.
const engine = new RegoEngine();
const { stacks } = JSON.parse(readFileSync(0, 'utf8'));
const out = [];
try {
  for (const { template, account, region } of stacks) {
    const report = engine.validateStandard(new TemplateFile(template), {
      strict: true,
      severityLevel: 'WARN',
      pseudoParameterOverrides: { accountId: account, region },
    });
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
