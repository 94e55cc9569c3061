// Lets plain `node` load the TypeScript sources directly (no build step), for running the lab
// from a checkout and for the lab kernel server started from jest: `node -r scripts/ts-require.js x.ts`.
// Transpiled output is cached by file content, so only changed files pay for the compiler.
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');

const cacheDir = path.join(os.tmpdir(), 'provision-ts-cache');
let ts = null;

function transpile(source, filename) {
  ts = ts || require('typescript');
  const options = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true };
  return ts.transpileModule(source, { compilerOptions: options, fileName: filename }).outputText;
}

require.extensions['.ts'] = (module, filename) => {
  const source = fs.readFileSync(filename, 'utf8');
  const key = crypto.createHash('sha1').update(filename).update('\0').update(source).digest('hex');
  const cached = path.join(cacheDir, key + '.js');
  let out;
  try {
    out = fs.readFileSync(cached, 'utf8');
  } catch {
    out = transpile(source, filename);
    fs.mkdirSync(cacheDir, { recursive: true });
    fs.writeFileSync(cached + '.' + process.pid, out);
    fs.renameSync(cached + '.' + process.pid, cached);
  }
  module._compile(out, filename);
};
