export default function Home() {
  return (
    <main>
      <h1>gatehouse reference app</h1>
      <p>Sign in to upload images into your own folder, keep items, and issue API tokens.</p>
    </main>
  );
}
