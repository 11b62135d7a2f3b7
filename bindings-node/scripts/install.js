// `npm install` entry point. Inside the wire repository the addon is built from source with the
// pinned @napi-rs/cli; a packed copy (npm pack / --install-links) carries the addon built before
// packing and only checks that it loads.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const inRepo = fs.existsSync(path.join(root, 'Cargo.toml')) &&
  fs.existsSync(path.join(root, '..', 'core', 'Cargo.toml'));

if (inRepo) {
  const napi = path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'napi.cmd' : 'napi');
  execFileSync(napi, ['build', '--platform', '--release'], { cwd: root, stdio: 'inherit' });
} else {
  require(path.join(root, 'index.js'));
}
