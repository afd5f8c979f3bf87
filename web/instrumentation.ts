// Runs once when the Next.js server starts: a missing or malformed configuration stops it here,
// with one line per variable naming it, instead of failing the first request that needs it.
// Only in the Node.js runtime: the check sits inside the runtime test, so an Edge build of this
// file (Next may make one; it warned about process.exit there) drops it.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { ConfigError, serverConfig } = await import('./lib/config');
    try {
      serverConfig();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      console.error(`The server's configuration is not usable:\n${err.problems.map((p) => `  ${p}`).join('\n')}`);
      process.exit(1);
    }
  }
}
