// The server's configuration, only from what gatehouse generates: `.env.local`, which
// `make web-config` writes from a deploy's outputs (`.env.production` in a hosted build, which
// amplify.yml writes from the deployed stacks). Nothing is typed by hand; a missing or malformed
// value stops the server with one line per variable, naming it.
import 'server-only';

export interface ServerConfig {
  region: string;
  trustRoleArn: string;
  roleSessionName: string;
  sessionDurationSeconds: number;
  assetFunctionName: string;
  /** The SSR compute role publishes here (with `amplify`). */
  feedbackTopicArn?: string;
  /** Private image delivery (with `delivery`). */
  cdnDomain?: string;
  signerFunctionName?: string;
  /** The token API (with `api`). */
  apiUrl?: string;
  tokenServiceFunctionName?: string;
}

/** Every problem of the configuration, one line each. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

const shapes = {
  region: [/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, 'an AWS region such as ap-southeast-1'],
  roleArn: [/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, 'a role ARN'],
  sessionName: [/^[\w+=,.@-]{2,64}$/, 'a role session name (2 to 64 of letters, digits and _+=,.@-)'],
  functionName: [/^[\w-]{1,140}$/, 'a Lambda function name'],
  topicArn: [/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/, 'an SNS topic ARN'],
  domain: [/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'a domain name'],
  apiUrl: [/^https:\/\/[a-z0-9]+\.execute-api\.[a-z0-9-]+\.amazonaws\.com\/[\w-]+\/$/, 'an API Gateway stage URL'],
} as const satisfies Record<string, readonly [RegExp, string]>;

type Env = Record<string, string | undefined>;

/** Reads and checks the server's environment (process.env by default). */
export function serverConfig(env: Env = process.env): ServerConfig {
  const problems: string[] = [];
  const read = (name: string, shape: keyof typeof shapes, required: boolean): string | undefined => {
    const value = env[name];
    if (value === undefined || value === '') {
      if (required) problems.push(`${name} is missing: write the configuration with \`make web-config OUT_DIR=web\` after a deploy`);
      return undefined;
    }
    const [pattern, what] = shapes[shape];
    if (!pattern.test(value)) {
      problems.push(`${name}=${JSON.stringify(value)} is not ${what}: regenerate it with \`make web-config OUT_DIR=web\``);
      return undefined;
    }
    return value;
  };
  const region = read('AWS_REGION', 'region', true);
  const trustRoleArn = read('TRUST_ROLE_ARN', 'roleArn', true);
  const roleSessionName = read('ROLE_SESSION_NAME', 'sessionName', true);
  const assetFunctionName = read('ASSET_FUNCTION_NAME', 'functionName', true);
  const feedbackTopicArn = read('FEEDBACK_TOPIC_ARN', 'topicArn', false);
  const cdnDomain = read('CDN_DOMAIN', 'domain', false);
  const signerFunctionName = read('SIGNER_FUNCTION_NAME', 'functionName', cdnDomain !== undefined);
  const apiUrl = read('API_URL', 'apiUrl', false);
  const tokenServiceFunctionName = read('TOKEN_SERVICE_FUNCTION_NAME', 'functionName', apiUrl !== undefined);
  const duration = env.SESSION_DURATION_SECONDS;
  let sessionDurationSeconds = 0;
  if (duration === undefined || duration === '') {
    problems.push('SESSION_DURATION_SECONDS is missing: write the configuration with `make web-config OUT_DIR=web` after a deploy');
  } else if (!/^\d+$/.test(duration) || Number(duration) < 900 || Number(duration) > 3600) {
    problems.push(`SESSION_DURATION_SECONDS=${JSON.stringify(duration)} is not a whole number of seconds from 900 to 3600 (role chaining caps sessions at one hour)`);
  } else {
    sessionDurationSeconds = Number(duration);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    region: region!, trustRoleArn: trustRoleArn!, roleSessionName: roleSessionName!, sessionDurationSeconds,
    assetFunctionName: assetFunctionName!, feedbackTopicArn, cdnDomain, signerFunctionName, apiUrl, tokenServiceFunctionName,
  };
}
