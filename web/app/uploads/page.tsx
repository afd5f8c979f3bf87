// Uploads: images into the signed-in user's own folder of the upload bucket
// (protected/<owner>/, as the bucket's access rule allows), and that folder's gallery.
import type { Metadata } from 'next';
import { Page, Text } from '../amplify-ui';
import { SignInFirst } from '../sign-in-first';
import outputs from '@/amplify_outputs.json';
import { ownerKeyOf } from '@/lib/owner';
import { Uploads } from './uploads';

export const metadata: Metadata = { title: 'Uploads' };

export default function UploadsPage() {
  return (
    <Page title="Uploads">
      <Text>
        Your own folder of the upload bucket, <code>protected/&lt;your {ownerKeyOf(outputs) === 'sub' ? 'user id' : 'identity id'}&gt;/</code>: the identity pool gives
        your browser credentials that may read, list, write and delete there and nowhere else, so no one else sees
        these images and you see no one else&apos;s. Images are shown through the private image distribution with a
        signature for your folder when the environment has one.
      </Text>
      <SignInFirst to="upload images into your folder and see them">
        <Uploads />
      </SignInFirst>
    </Page>
  );
}
