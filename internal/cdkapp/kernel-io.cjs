// Preloaded by jsii-kernel.sh into jsii's kernel when it runs without its launcher. The kernel
// speaks the jsii protocol on descriptor 3, read and written, which the launcher made a socket to
// itself; here 3 reads the Go process's requests and 4 is where the answers go, so its writes to 3
// go to 4. The kernel's console output (process.stdout, process.stderr) goes to the Go process's
// stderr as the launcher sent it: one JSON line a write, {"stdout" or "stderr": base64}, which
// jsii-runtime-go prints to its own stdout or stderr.
'use strict';
const fs = require('node:fs');
const { Writable } = require('node:stream');
const { isMainThread } = require('node:worker_threads');

if (isMainThread) {
  const writeSync = fs.writeSync;
  fs.writeSync = function (fd, ...rest) {
    return writeSync.call(this, fd === 3 ? 4 : fd, ...rest);
  };
  const writeAll = (fd, bytes) => {
    for (let done = 0; done < bytes.length; ) {
      try {
        done += writeSync(fd, bytes, done);
      } catch (e) {
        if (e.code !== 'EAGAIN') throw e;
      }
    }
  };
  for (const name of ['stdout', 'stderr']) {
    const stream = new Writable({
      write(chunk, _encoding, done) {
        writeAll(2, Buffer.from(JSON.stringify({ [name]: chunk.toString('base64') }) + '\n'));
        done();
      },
    });
    stream.fd = 2;
    Object.defineProperty(process, name, { configurable: true, enumerable: true, get: () => stream });
  }
}
