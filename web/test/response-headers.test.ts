// response-headers.ts: the headers of security-headers.json on every answer, and one complete
// Content-Security-Policy that keeps the baseline's directives and allows exactly what the app
// reaches, from the deploy's configuration.
import { describe, expect, it } from 'vitest';
import outputs from '../amplify_outputs.json';
import baseline from '../security-headers.json';
import { appPolicy, browserEndpoints, PolicyConfigError, securityHeaders, type BrowserEndpoints } from '../response-headers';

const directives = (policy: string) => new Map(policy.split('; ').map((d) => {
  const [name = '', ...sources] = d.split(' ');
  return [name, sources];
}));
// The fixture's configuration (make web-config from test/testdata/cdk-outputs.json).
const fixture = browserEndpoints(outputs, { CDN_DOMAIN: 'd1a2b3c4d5e6f7.cloudfront.net' });
const bucket = 'https://gatehouse-dev-uploads-uploads88c64f96-k2j4h6g8f0d1.s3.ap-southeast-1.amazonaws.com';

describe('the Content-Security-Policy', () => {
  it('allows exactly what the app reaches: Cognito of the region, the upload bucket, the image distribution', () => {
    const policy = directives(appPolicy(fixture, { development: false }));
    expect(Object.fromEntries(policy)).toEqual({
      'default-src': ["'self'"],
      'script-src': ["'self'"],
      'style-src': ["'self'", "'unsafe-inline'"],
      'img-src': ["'self'", 'blob:', bucket, 'https://d1a2b3c4d5e6f7.cloudfront.net'],
      'connect-src': ["'self'", 'https://cognito-idp.ap-southeast-1.amazonaws.com', 'https://cognito-identity.ap-southeast-1.amazonaws.com', bucket],
      'frame-ancestors': ["'none'"],
      'base-uri': ["'self'"],
      'object-src': ["'none'"],
      'form-action': ["'self'"],
    });
  });
  it('holds every directive of the baseline (security-headers.json) verbatim, once', () => {
    const policy = appPolicy(fixture, { development: false });
    for (const directive of baseline['Content-Security-Policy'].split('; ')) {
      expect(policy.split('; ').filter((d) => d === directive), directive).toHaveLength(1);
    }
    expect(directives(policy).get('frame-ancestors')).toEqual(["'none'"]);
  });
  it('runs inline scripts only with the request\'s nonce; eval only under next dev', () => {
    expect(directives(appPolicy(fixture, { nonce: 'bm9uY2U=', development: false })).get('script-src'))
      .toEqual(["'self'", "'nonce-bm9uY2U='", "'strict-dynamic'"]);
    for (const nonce of [undefined, 'bm9uY2U=']) {
      const production = appPolicy(fixture, { nonce, development: false });
      expect(production).not.toContain('unsafe-eval');
      expect(directives(production).get('script-src')).not.toContain("'unsafe-inline'");
      expect(directives(appPolicy(fixture, { nonce, development: true })).get('script-src')).toContain("'unsafe-eval'");
    }
  });
  it('leaves out what the deploy does not have: no distribution, no storage', () => {
    const bare = browserEndpoints({ auth: { aws_region: 'eu-west-1' } }, {});
    expect(bare).toEqual({ authRegion: 'eu-west-1', buckets: [], cdnDomain: undefined });
    const policy = directives(appPolicy(bare, { development: false }));
    expect(policy.get('img-src')).toEqual(["'self'", 'blob:']);
    expect(policy.get('connect-src')).toEqual(["'self'", 'https://cognito-idp.eu-west-1.amazonaws.com', 'https://cognito-identity.eu-west-1.amazonaws.com']);
    expect(directives(appPolicy({ buckets: [] }, { development: false })).get('connect-src')).toEqual(["'self'"]);
  });
  it('names S3 as Amplify Storage does: path-style for a bucket with a dot; China\'s suffix', () => {
    const endpoints: BrowserEndpoints = { authRegion: 'cn-north-1', buckets: [{ name: 'my.bucket', region: 'cn-north-1' }, { name: 'b2', region: 'us-east-1' }] };
    expect(directives(appPolicy(endpoints, { development: false })).get('connect-src')).toEqual([
      "'self'", 'https://cognito-idp.cn-north-1.amazonaws.com.cn', 'https://cognito-identity.cn-north-1.amazonaws.com.cn',
      'https://s3.cn-north-1.amazonaws.com.cn/my.bucket/', 'https://b2.s3.us-east-1.amazonaws.com',
    ]);
    // Outputs with only the default bucket.
    expect(browserEndpoints({ storage: { aws_region: 'us-east-1', bucket_name: 'b1' } }, {}).buckets).toEqual([{ name: 'b1', region: 'us-east-1' }]);
  });
  it('refuses a value that would change the policy, one line each, naming it', () => {
    try {
      browserEndpoints({ auth: { aws_region: "eu-west-1; script-src 'unsafe-inline'" }, storage: { buckets: [{ bucket_name: 'b *', aws_region: 'eu-west-1' }] } },
        { CDN_DOMAIN: 'evil.example https://x' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(PolicyConfigError);
      expect((err as PolicyConfigError).problems).toEqual([
        'amplify_outputs.json auth.aws_region="eu-west-1; script-src \'unsafe-inline\'" is not an AWS region: regenerate the configuration with `make web-config OUT_DIR=web`',
        'amplify_outputs.json storage.buckets[0].bucket_name="b *" is not a bucket name: regenerate the configuration with `make web-config OUT_DIR=web`',
        'CDN_DOMAIN="evil.example https://x" is not a domain name: regenerate the configuration with `make web-config OUT_DIR=web`',
      ]);
    }
  });
});

describe('the headers of every answer', () => {
  it('are security-headers.json\'s, with its baseline policy replaced by the complete one', () => {
    const policy = appPolicy(fixture, { development: false });
    expect(securityHeaders(policy)).toEqual([
      { key: 'Strict-Transport-Security', value: 'max-age=63072000; includeSubDomains' },
      { key: 'X-Content-Type-Options', value: 'nosniff' },
      { key: 'Referrer-Policy', value: 'same-origin' },
      { key: 'X-Frame-Options', value: 'DENY' },
      { key: 'Content-Security-Policy', value: policy },
    ]);
  });
});
