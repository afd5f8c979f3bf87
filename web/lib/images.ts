// Private image delivery, in the browser: the URL of an image in the caller's folder, from the
// signature the server got from the signer (lib/image-signatures.ts). Nothing here is secret or
// server-only: the gallery (a client component) builds its URLs with it.

/**
 * The signed CDN URL of the object at path (as Amplify Storage lists it, e.g.
 * "protected/<owner>/photo.jpg"), from a signature whose resource is
 * "https://<domain>/protected/<owner>/*"; undefined for a path the signature does not cover.
 */
export function signedImageURL(resource: string, query: string, path: string): string | undefined {
  if (!resource.endsWith('/*')) return undefined;
  const base = resource.slice(0, -1); // "https://<domain>/protected/<owner>/"
  const folder = new URL(base).pathname.slice(1); // "protected/<owner>/"
  if (!path.startsWith(folder) || path.length === folder.length) return undefined;
  const name = path.slice(folder.length).split('/').map(encodeURIComponent).join('/');
  return `${base}${name}?${query}`;
}
