// The preview's banner: `make web-preview` runs the app on the deploy-shaped test fixture's
// configuration (test/testdata/cdk-outputs.json), whose user pool, bucket and functions do not
// exist, and says so on every page. Only that target sets GATEHOUSE_PREVIEW; a deployment (make
// web, Amplify Hosting) never does, so its pages have no banner. Read on the server, per request.
import 'server-only';

/** The variable make web-preview sets, and the one value that turns the banner on. */
export const previewVariable = 'GATEHOUSE_PREVIEW';
export const previewValue = 'fixture';

export interface PreviewNotice {
  heading: string;
  text: string;
}

/** The banner every page shows in the preview; undefined in every other run. */
export function previewNotice(env: Record<string, string | undefined> = process.env): PreviewNotice | undefined {
  if (env[previewVariable] !== previewValue) return undefined;
  return {
    heading: 'Preview on the test fixture',
    text: 'This is make web-preview: the app runs on the deploy-shaped test fixture\'s configuration, '
      + 'not a deployment\'s. Sign-in and every AWS call (uploads, the gallery, API tokens, feedback) '
      + 'cannot work offline; the pages, their layout and their headers are the real ones. To use the app, '
      + 'deploy, then make web-config OUT_DIR=web and make web.',
  };
}
