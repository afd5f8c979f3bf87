'use client';
// The uploader and the gallery, signed in: files go into the user's own folder (by the deploy's
// owner key), and the gallery lists it again after each upload. A client component: Amplify
// Storage uploads from the browser with the identity pool's credentials for this user (the
// bucket's policy admits them to this folder only); the server never sees the files.
import { Flex, useAuthenticator } from '@aws-amplify/ui-react';
import { FileUploader } from '@aws-amplify/ui-react-storage';
import { useState } from 'react';
import outputs from '@/amplify_outputs.json';
import { ownerKeyOf, ownFolder } from '@/lib/owner';
import { Gallery } from './gallery';

export function Uploads() {
  const [uploads, setUploads] = useState(0);
  const { user } = useAuthenticator((context) => [context.user]);
  const folder = ownFolder(ownerKeyOf(outputs), user.userId);
  return (
    <Flex direction="column" gap="large">
      <FileUploader path={folder} acceptedFileTypes={['image/*']} maxFileCount={5}
        onUploadSuccess={() => setUploads((n) => n + 1)} />
      <Gallery key={uploads} folder={folder} />
    </Flex>
  );
}
