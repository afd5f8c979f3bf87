// The headers every answer of the app sends, and its one Content-Security-Policy.
//
// security-headers.json is the contract shared with the CDK (Amplify Hosting's custom headers
// send the same values): HSTS, nosniff, Referrer-Policy, X-Frame-Options and a baseline CSP of
// the directives that hold for any app (frame-ancestors, base-uri, object-src, form-action).
// Next sends one complete policy instead of two: the app's directives below, then the baseline's
// directives verbatim (appPolicy refuses to build a policy that restates a baseline directive
// differently), so the header holds every baseline directive unchanged and nothing loosens it.
//
// script-src: Next's App Router puts inline scripts in every page (the hydration data). Next
// documents two ways to allow them: 'unsafe-inline' (which would allow any injected inline script
// too), or a nonce per request from the proxy, on dynamically rendered pages. gatehouse uses the
// nonce: Amplify keeps the session's tokens in cookies that scripts can read, so an injected
// script must not run. proxy.ts makes a nonce for each page and sends this policy with it
// (`'nonce-…' 'strict-dynamic'`: Next's scripts carry the nonce, and the chunks they load are
// trusted through them); every other answer (static files, Next's own) gets the same policy
// without a nonce from next.config.ts, where no inline script runs at all. The cost: pages are
// rendered per request (app/layout.tsx), not prerendered. 'unsafe-eval' only under `next dev`
// (React's refresh and error overlay use eval), never in a build.
import baseline from './security-headers.json';

/** What the browser reaches besides the app itself, from the deploy's configuration. */
export interface BrowserEndpoints {
  /** The Cognito region (amplify_outputs.json auth.aws_region): sign-in and the identity pool. */
  authRegion?: string;
  /** The upload buckets Amplify Storage lists, uploads to and reads (amplify_outputs.json storage). */
  buckets: { name: string; region: string }[];
  /** The private image distribution's domain (CDN_DOMAIN, with `delivery`). */
  cdnDomain?: string;
}

/** The part of amplify_outputs.json the policy reads. */
export interface OutputsForPolicy {
  auth?: { aws_region?: string };
  storage?: { aws_region?: string; bucket_name?: string; buckets?: { bucket_name: string; aws_region: string }[] };
}

/** Thrown for a configuration value that cannot be put into a policy; one line per value. */
export class PolicyConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`The Content-Security-Policy cannot be built:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'PolicyConfigError';
  }
}

// Only what can name a host: a value with a space, quote or ';' would add sources or directives.
const regionShape = /^[a-z]{2}(-[a-z]+)+-\d$/;
const hostShape = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

/**
 * The endpoints from amplify_outputs.json and the environment (CDN_DOMAIN). An absent value
 * leaves its source out (the app does not use what the deploy does not have); a malformed one is
 * an error naming it.
 */
export function browserEndpoints(outputs: OutputsForPolicy, env: Record<string, string | undefined>): BrowserEndpoints {
  const problems: string[] = [];
  const check = (name: string, value: string | undefined, shape: RegExp, what: string): string | undefined => {
    if (value === undefined || value === '') return undefined;
    if (shape.test(value)) return value;
    problems.push(`${name}=${JSON.stringify(value)} is not ${what}: regenerate the configuration with \`make web-config OUT_DIR=web\``);
    return undefined;
  };
  const authRegion = check('amplify_outputs.json auth.aws_region', outputs.auth?.aws_region, regionShape, 'an AWS region');
  const listed = outputs.storage?.buckets ?? (outputs.storage?.bucket_name
    ? [{ bucket_name: outputs.storage.bucket_name, aws_region: outputs.storage.aws_region ?? '' }] : []);
  const buckets: BrowserEndpoints['buckets'] = [];
  listed.forEach((bucket, i) => {
    const name = check(`amplify_outputs.json storage.buckets[${i}].bucket_name`, bucket.bucket_name, hostShape, 'a bucket name');
    const region = check(`amplify_outputs.json storage.buckets[${i}].aws_region`, bucket.aws_region || undefined, regionShape, 'an AWS region');
    if (name && region) buckets.push({ name, region });
    else if (name) problems.push(`amplify_outputs.json storage.buckets[${i}].aws_region is missing: regenerate the configuration with \`make web-config OUT_DIR=web\``);
  });
  const cdnDomain = check('CDN_DOMAIN', env.CDN_DOMAIN, hostShape, 'a domain name');
  if (problems.length > 0) throw new PolicyConfigError(problems);
  return { authRegion, buckets, cdnDomain };
}

// Amplify's endpoints (@aws-amplify/core getDnsSuffix): amazonaws.com, or .com.cn in China.
const dnsSuffix = (region: string) => (region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com');

// Amplify Storage's S3 endpoint for a bucket: virtual-hosted, or path-style for a name with a dot.
function bucketSource({ name, region }: { name: string; region: string }): string {
  const s3 = `s3.${region}.${dnsSuffix(region)}`;
  return name.includes('.') ? `https://${s3}/${name}/` : `https://${name}.${s3}`;
}

export interface PolicyOptions {
  /** This request's nonce (proxy.ts, pages); without one, no inline script may run. */
  nonce?: string;
  /** `next dev`: React's refresh needs eval. */
  development: boolean;
}

type Directives = [name: string, sources: string[]][];

const parse = (policy: string): Directives =>
  policy.split(';').map((d) => d.trim()).filter(Boolean).map((d) => {
    const [name = '', ...sources] = d.split(/\s+/);
    return [name, sources];
  });

const render = (directives: Directives): string => directives.map(([name, sources]) => [name, ...sources].join(' ')).join('; ');

/** The app's complete Content-Security-Policy: its own directives, then the baseline's verbatim. */
export function appPolicy(endpoints: BrowserEndpoints, options: PolicyOptions): string {
  const cognito = endpoints.authRegion === undefined ? [] : [
    `https://cognito-idp.${endpoints.authRegion}.${dnsSuffix(endpoints.authRegion)}`,
    `https://cognito-identity.${endpoints.authRegion}.${dnsSuffix(endpoints.authRegion)}`,
  ];
  const s3 = endpoints.buckets.map(bucketSource);
  const cdn = endpoints.cdnDomain === undefined ? [] : [`https://${endpoints.cdnDomain}`];
  const own: Directives = [
    ['default-src', ["'self'"]],
    ['script-src', [
      "'self'",
      ...(options.nonce === undefined ? [] : [`'nonce-${options.nonce}'`, "'strict-dynamic'"]),
      ...(options.development ? ["'unsafe-eval'"] : []),
    ]],
    // Style attributes in server-rendered HTML (React, Amplify UI) need 'unsafe-inline', which a
    // nonce would switch off; styles cannot run code.
    ['style-src', ["'self'", "'unsafe-inline'"]],
    // blob: the uploader's previews (FileUploader); S3: StorageImage's signed URLs; the CDN: the gallery.
    ['img-src', ["'self'", 'blob:', ...s3, ...cdn]],
    ['connect-src', ["'self'", ...cognito, ...s3]],
  ];
  const base = parse(baseline['Content-Security-Policy']);
  for (const [name, sources] of own) {
    const fixed = base.find(([n]) => n === name);
    if (fixed && fixed[1].join(' ') !== sources.join(' ')) {
      throw new Error(`${name} is in security-headers.json's baseline policy ("${fixed[1].join(' ')}"); the app may not restate it differently`);
    }
  }
  return render([...own.filter(([name]) => !base.some(([n]) => n === name)), ...base]);
}

/** Every answer's headers: security-headers.json, with its baseline CSP replaced by policy. */
export function securityHeaders(policy: string): { key: string; value: string }[] {
  return Object.entries({ ...baseline, 'Content-Security-Policy': policy }).map(([key, value]) => ({ key, value }));
}

/** The Cache-Control of the proxy's refusals (proxy.ts); Next sends its own no-store with every server action's answer. */
export const noStore = 'no-store';
