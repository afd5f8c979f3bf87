// Preloaded into the Node processes the app and the CDK tests start (NODE_OPTIONS=--require, set
// by scripts/app.sh and the Makefile); it acts only in the jsii kernel, the process that runs
// aws-cdk-lib. There it turns on Node's compile cache (V8's code for each module, kept on disk and
// used again when the module's source is the same: Node checks) in build/jsii-compile-cache (or
// GATEHOUSE_JSII_COMPILE_CACHE), so a synth does not compile aws-cdk-lib's and cdk-nag's
// JavaScript again: ~0.4 s of CPU a run.
//
// The kernel runs the modules from a temporary directory made anew each run
// (/tmp/jsii-kernel-XXXXXX/node_modules, Node started with --preserve-symlinks), and Node keys its
// cache by each module's path. So the cache is opened through a link inside that directory, in
// Node's portable mode, which keys modules by their path relative to the cache directory:
// ../node_modules/aws-cdk-lib/..., the same every run. Nothing here can fail a synth: a Node
// without these APIs, or any error, is a run without the cache.
'use strict';
// The kernel: jsii-runtime.XXXX/lib/program.js as jsii-runtime-go extracts it, or
// build/jsii-runtime/lib/program.js as jsii-kernel.sh starts it.
const kernel = /[\\/]jsii-runtime(\.[^\\/]+)?[\\/]lib[\\/]program\.js$/.test(process.argv[1] ?? '');
const module_ = require('node:module');
// Portable mode came in Node 24.12; an older Node would key every module by this run's directory
// and write ~13 MB of entries no run ever reads again.
const [major, minor] = process.versions.node.split('.').map(Number);
const portable = major > 24 || (major === 24 && minor >= 12);
if (kernel && portable && typeof module_.enableCompileCache === 'function' && typeof module_.flushCompileCache === 'function') {
  const fs = require('node:fs');
  const path = require('node:path');
  const cache = process.env.GATEHOUSE_JSII_COMPILE_CACHE || path.resolve(__dirname, '..', '..', 'build', 'jsii-compile-cache');
  const mkdtempSync = fs.mkdtempSync;
  fs.mkdtempSync = function (prefix, ...rest) {
    const dir = mkdtempSync.call(this, prefix, ...rest);
    if (path.basename(String(prefix)) === 'jsii-kernel-') {
      fs.mkdtempSync = mkdtempSync;
      try {
        fs.mkdirSync(cache, { recursive: true });
        const link = path.join(dir, '.compile-cache');
        fs.symlinkSync(cache, link);
        module_.enableCompileCache({ directory: link, portable: true });
        // Node writes the cache when the process exits normally; the kernel's does.
        process.once('exit', () => module_.flushCompileCache());
      } catch {
        // No cache this run.
      }
    }
    return dir;
  };
}
