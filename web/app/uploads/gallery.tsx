'use client';
// The signed-in identity's images: through the private CloudFront distribution with a signature
// from the signer (one signature opens the whole folder, and the images cache under their plain
// URLs) when the environment has delivery; through Amplify Storage's StorageImage otherwise.
import { StorageImage } from '@aws-amplify/ui-react-storage';
import { list } from 'aws-amplify/storage';
import Image from 'next/image';
import { useEffect, useState } from 'react';
import { signedImageURL } from '@/lib/images';

interface Signature {
  resource: string;
  query: string;
}

export function Gallery() {
  const [paths, setPaths] = useState<string[]>([]);
  const [signature, setSignature] = useState<Signature | null>(null);
  useEffect(() => {
    void (async () => {
      const listed = await list({ path: ({ identityId }) => `protected/${identityId}/` });
      setPaths(listed.items.map((item) => item.path).filter((path) => !path.endsWith('/')));
      const answer = await fetch('/api/images/signature');
      if (answer.ok) setSignature((await answer.json()) as Signature);
    })();
  }, []);
  return (
    <ul>
      {paths.map((path) => {
        const signed = signature ? signedImageURL(signature.resource, signature.query, path) : undefined;
        return (
          <li key={path}>
            {/* unoptimized: the browser fetches the signed URL itself, and CloudFront caches it */}
            {signed ? <Image unoptimized src={signed} alt={path} width={240} height={240} /> : <StorageImage path={path} alt={path} width={240} />}
          </li>
        );
      })}
    </ul>
  );
}
