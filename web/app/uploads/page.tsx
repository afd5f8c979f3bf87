'use client';
// Uploads into the signed-in identity's own folder (protected/{identityId}/), as the upload
// bucket's access rule allows.
import { withAuthenticator } from '@aws-amplify/ui-react';
import outputs from '@/amplify_outputs.json';
import { signInOptions } from '@/lib/signin';
import { Gallery } from './gallery';
import { FileUploader } from '@aws-amplify/ui-react-storage';

function Uploads() {
  return (
    <main>
      <h1>Your uploads</h1>
      <FileUploader path={({ identityId }) => `protected/${identityId}/`} acceptedFileTypes={['image/*']} maxFileCount={5} />
      <Gallery />
    </main>
  );
}

export default withAuthenticator(Uploads, signInOptions(outputs));
