// Strict CloudFormation validation: AWS's validator, @aws/cloudformation-validate (the engine
// aws-cdk-lib bundles, pinned to the same version in package.json), run over templates in strict
// mode with no rule excluded. aws-cdk-lib's own plugin skips some rules (W3005 among them); this
// run does not. The app runs it beside its synthesis, the tests over their assembly.
//
// Usage: node --single-threaded --liftoff-only strict.mjs [--snapshot=<file>]
//        node --single-threaded --liftoff-only strict.mjs --check-snapshot=<file>
// (the second only says whether the snapshot would be restored, as {"snapshot": "..."}).
//
// Output, on stdout: first one line saying how the engine was loaded, {"engine": "..."} (see
// load), then one line a request. Input, on stdin: one JSON document a line, {"stacks":
// [{"template": "<name>", "body": "<the template's text>", "account": "...", "region": "..."}]};
// the body is validated (the caller hashes the same bytes), the name is only reported. The
// answer to each: a JSON array of every diagnostic of severity WARN or above (strict mode makes
// them ERROR): {"template", "ruleId", "severity", "logicalId", "path", "message"}. The process
// ends when stdin closes; no request (the caller stopped early) is no work.
//
// The engine's start is its own initialisation (`new RegoEngine()`: ~1.5 s of CPU, ~280 MB of
// WebAssembly memory built from data inside the module, the same every time). With --snapshot,
// the first run writes that state — the module's memory and the JavaScript values its reference
// table holds — to the file, and later runs restore it in ~0.15 s instead (Wizer's idea, done at
// run time). A restored engine is used only if the file is whole (its size and CRC-32), was
// written by the same engine and Node, and the engine then answers the probe templates exactly as
// the engine that wrote it did; otherwise the engine initialises anew and rewrites the file. The
// caller names the file by the SHA-256 of everything the engine runs (cache.go), so a new
// engine never reads an old snapshot. The checks catch a damaged or foreign file, not a forged
// one: the snapshot is trusted as the recorded passes beside it are (whoever can write build/ can
// already change what the app runs).
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { crc32 } from 'node:zlib';

const require = createRequire(import.meta.url);
const engineModule = '@aws/cloudformation-validate';
const bindingsModule = '@aws/cloudformation-validate/bindings_wasm.js';

const options = (account, region) => ({
  strict: true,
  severityLevel: 'WARN',
  pseudoParameterOverrides: { accountId: account, region },
});
const file = (path, body) => ({ path, readBytes: () => Buffer.from(body) });
const diagnostics = (engine, name, body, account = '123456789012', region = 'us-east-1') =>
  engine.validateStandard(file(name, body), options(account, region)).diagnostics;

// The probes: a valid template (its first validation also warms the engine: ~0.2 s more than the
// next) and one with findings of several rules (a property the type does not have, a wrong type,
// a reference to nothing, a bad attribute). What the engine answers for them is written in the
// snapshot and asked again of a restored engine.
const probes = [
  ['warm-up.json', '{"Resources": {"Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"}}}'],
  ['probe.json', JSON.stringify({
    Resources: {
      Bucket: { Type: 'AWS::S3::Bucket', Properties: { BucketNam: 'x', VersioningConfiguration: { Status: 7 } } },
      Queue: { Type: 'AWS::SQS::Queue', Properties: { DelaySeconds: { Ref: 'Nothing' } } },
      Topic: { Type: 'AWS::SNS::Topic', Properties: { DisplayName: { 'Fn::GetAtt': ['Bucket', 'NoSuchAttribute'] } } },
    },
  })],
];
const answers = (engine) => JSON.stringify(probes.map(([name, body]) => diagnostics(engine, name, body)));

// The module instantiates itself when first required; its instance (memory, reference table) is
// taken as it is made. fresh: a new instance (a snapshot that did not check out is dropped).
function loadModule(fresh) {
  if (fresh) {
    for (const name of [engineModule, bindingsModule]) delete require.cache[require.resolve(name)];
  }
  const Instance = WebAssembly.Instance;
  let instance;
  WebAssembly.Instance = function (module, imports) {
    instance = new Instance(module, imports);
    return instance;
  };
  try {
    return { api: require(engineModule), bindings: require(bindingsModule), exports: instance.exports };
  } finally {
    WebAssembly.Instance = Instance;
  }
}

// The reference table's values, as the snapshot holds them: only values another process can
// have the same (the global object, its performance clock, primitives).
const encodeRef = (v) => {
  if (v === undefined || v === null) return null;
  if (v === globalThis) return { global: true };
  if (v === globalThis.performance) return { performance: true };
  if (['string', 'boolean', 'number'].includes(typeof v)) return { value: v };
  throw new Error(`its reference table holds a ${typeof v}`);
};
const decodeRef = (d) => (d === null ? null : d.global ? globalThis : d.performance ? globalThis.performance : d.value);

const format = 'gatehouse cfnvalidate engine snapshot 1';

function header(mod, engine) {
  const probed = answers(engine); // first: validating writes to the memory
  const table = mod.exports.__wbindgen_externrefs;
  const refs = Array.from({ length: table.length }, (_, i) => encodeRef(table.get(i)));
  const memory = new Uint8Array(mod.exports.memory.buffer);
  return {
    format, node: process.version, engine: mod.api.version(), pointer: engine.inner.__wbg_ptr,
    refs, memory: memory.length, crc32: crc32(memory), answers: probed,
  };
}

// write stores the engine's state in path, through a temporary file renamed into place (a
// reader sees a whole snapshot or none), and removes other engines' snapshots and temporary
// files left by runs stopped while writing.
function write(path, mod, engine) {
  const head = Buffer.from(JSON.stringify(header(mod, engine)) + '\n');
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(dir)) {
    const other = join(dir, name);
    if ((name.endsWith('.snapshot') && name !== basename(path)) || (name.includes('.snapshot.tmp-') && Date.now() - statSync(other).mtimeMs > 60_000)) {
      rmSync(other, { force: true });
    }
  }
  const temporary = `${path}.tmp-${process.pid}`;
  const fd = openSync(temporary, 'w', 0o600);
  try {
    writeSync(fd, head);
    writeSync(fd, new Uint8Array(mod.exports.memory.buffer));
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}

// restore loads the snapshot in path into a new instance and returns the engine, or throws why not.
function restore(path, mod) {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const start = Buffer.alloc(Math.min(size, 1 << 20));
    readSync(fd, start, 0, start.length, 0);
    const end = start.indexOf(10);
    if (end < 0) throw new Error('no header');
    const head = JSON.parse(start.subarray(0, end).toString());
    if (head.format !== format || head.node !== process.version || head.engine !== mod.api.version()) {
      throw new Error(`written by ${head.format}, Node ${head.node}, engine ${head.engine}`);
    }
    if (size !== end + 1 + head.memory) throw new Error(`${size} bytes, not ${end + 1 + head.memory}`);
    const memory = mod.exports.memory;
    if (head.memory > memory.buffer.byteLength) memory.grow((head.memory - memory.buffer.byteLength) / 65536);
    const view = new Uint8Array(memory.buffer, 0, head.memory);
    for (let done = 0; done < head.memory; ) {
      const n = readSync(fd, view, done, Math.min(1 << 24, head.memory - done), end + 1 + done);
      if (n === 0) throw new Error('truncated');
      done += n;
    }
    if (crc32(view) !== head.crc32) throw new Error('its CRC-32 does not match');
    const table = mod.exports.__wbindgen_externrefs;
    if (head.refs.length > table.length) table.grow(head.refs.length - table.length);
    head.refs.forEach((d, i) => table.set(i, decodeRef(d)));
    const engine = Object.create(mod.api.RegoEngine.prototype);
    engine.inner = Object.create(mod.bindings.WasmRegoEngine.prototype);
    engine.inner.__wbg_ptr = head.pointer;
    if (answers(engine) !== head.answers) throw new Error('the restored engine answers the probes differently');
    return engine;
  } finally {
    closeSync(fd);
  }
}

// load returns the engine and how it was loaded.
function load(snapshot) {
  let mod = loadModule(false);
  let refused = '';
  if (snapshot) {
    try {
      return { engine: restore(snapshot, mod), how: 'restored' };
    } catch (e) {
      if (e.code !== 'ENOENT') {
        refused = `; snapshot refused (${e.message})`;
        mod = loadModule(true);
      }
    }
  }
  const engine = new mod.api.RegoEngine();
  answers(engine); // warms the engine, as a restored one is
  if (!snapshot) return { engine, how: 'initialised' };
  try {
    write(snapshot, mod, engine);
    return { engine, how: `initialised${refused}; snapshot written` };
  } catch (e) {
    return { engine, how: `initialised${refused}; snapshot not written (${e.message})` };
  }
}

const flag = (name) => process.argv.slice(2).find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const checked = flag('check-snapshot');
if (checked) {
  // Only say whether the snapshot checks out (the tests ask): nothing initialised or written.
  let how = 'restored';
  try {
    restore(checked, loadModule(false));
  } catch (e) {
    how = `refused (${e.message})`;
  }
  process.stdout.write(JSON.stringify({ snapshot: how }) + '\n');
  process.exit(0);
}
const { engine, how } = load(flag('snapshot'));
process.stdout.write(JSON.stringify({ engine: how }) + '\n');
try {
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    const out = [];
    for (const { template, body, account, region } of JSON.parse(line).stacks) {
      for (const d of diagnostics(engine, template, body, account, region)) {
        out.push({
          template, ruleId: d.ruleId, severity: d.severity,
          logicalId: d.entity?.logicalId ?? '', path: d.propertyPath ?? '', message: d.message,
        });
      }
    }
    process.stdout.write(JSON.stringify(out) + '\n');
  }
} finally {
  engine.free();
}
