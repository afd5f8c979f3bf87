'use client';
// The signed-in identity's images: through the private CloudFront distribution with a signature
// from the signer (the page's server action; one signature opens the whole folder, and the
// images cache under their plain URLs) when the environment has delivery; through Amplify
// Storage's StorageImage otherwise. A client component: Amplify Storage lists the folder from the
// browser, with the identity pool's credentials for this user, which the server never holds.
import { Alert, Card, Flex, Heading, Text } from '@aws-amplify/ui-react';
import { StorageImage } from '@aws-amplify/ui-react-storage';
import { list } from 'aws-amplify/storage';
import Image from 'next/image';
import { useEffect, useState } from 'react';
import { signedImageURL } from '@/lib/images';
import type { StoragePath } from '@/lib/owner';
import { folderSignature } from './actions';

interface Signature {
  resource: string;
  query: string;
}

/** folder: the user's own folder (lib/owner's ownFolder). */
export function Gallery({ folder }: { folder: StoragePath }) {
  const [paths, setPaths] = useState<string[] | undefined>(undefined);
  const [signature, setSignature] = useState<Signature | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    void (async () => {
      try {
        const listed = await list({ path: folder });
        setPaths(listed.items.map((item) => item.path).filter((path) => !path.endsWith('/')));
      } catch (err) {
        console.error('the gallery could not list your folder:', err);
        setFailed(true);
        return;
      }
      // Without one (no delivery here, or the signer failed: its action logs why), StorageImage.
      const signed = await folderSignature();
      if (signed.resource && signed.query) setSignature({ resource: signed.resource, query: signed.query });
    })();
  }, [folder]);
  return (
    <Flex direction="column" gap="small">
      <Heading level={2}>Your images</Heading>
      {failed && <Alert variation="error">Your folder could not be listed just now. Reload the page to try again.</Alert>}
      {paths?.length === 0 && <Text color="font.secondary">No images yet: upload one above.</Text>}
      <Flex as="ul" wrap="wrap" gap="medium" padding="0" style={{ listStyle: 'none' }}>
        {paths?.map((path) => {
          const signed = signature ? signedImageURL(signature.resource, signature.query, path) : undefined;
          return (
            <Card as="li" key={path} variation="outlined" padding="xs">
              {/* unoptimized: the browser fetches the signed URL itself, and CloudFront caches it */}
              {signed ? <Image unoptimized src={signed} alt={path} width={240} height={240} /> : <StorageImage path={path} alt={path} width={240} />}
            </Card>
          );
        })}
      </Flex>
    </Flex>
  );
}
