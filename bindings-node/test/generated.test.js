'use strict';
// The committed generated files equal a fresh generation: index.js / index.d.ts (napi build)
// and the files xtask generates from the core's schema (lib/wire.d.ts, lib/generated.js,
// src/generated.rs).
const { test } = require('node:test');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { assert } = require('./helpers');

const root = path.join(__dirname, '..');

test('napi build regenerates index.js and index.d.ts unchanged', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'wire-napi-'));
  try {
    const napi = path.join(root, 'node_modules', '.bin', 'napi');
    execFileSync(napi, ['build', '--platform', '--release', '--output-dir', out], { cwd: root, stdio: 'pipe' });
    for (const file of ['index.js', 'index.d.ts']) {
      assert.equal(fs.readFileSync(path.join(out, file), 'utf8'), fs.readFileSync(path.join(root, file), 'utf8'),
        `${file} is stale: run \`npm run build\` and commit it`);
    }
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});

test('xtask regenerates lib/wire.d.ts, lib/generated.js and src/generated.rs unchanged', () => {
  execFileSync('cargo', ['run', '-q', '-p', 'xtask', '--', 'check'], { cwd: path.join(root, '..'), stdio: 'pipe' });
});
