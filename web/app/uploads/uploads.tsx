'use client';
// The uploader and the gallery, signed in: files go into the identity's own folder, and the
// gallery lists it again after each upload.
import { Flex } from '@aws-amplify/ui-react';
import { FileUploader } from '@aws-amplify/ui-react-storage';
import { useState } from 'react';
import { Gallery } from './gallery';

export function Uploads() {
  const [uploads, setUploads] = useState(0);
  return (
    <Flex direction="column" gap="large">
      <FileUploader path={({ identityId }) => `protected/${identityId}/`} acceptedFileTypes={['image/*']} maxFileCount={5}
        onUploadSuccess={() => setUploads((n) => n + 1)} />
      <Gallery key={uploads} />
    </Flex>
  );
}
