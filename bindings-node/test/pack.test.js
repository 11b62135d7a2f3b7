'use strict';
// How another project installs the package: `npm pack` here, then `npm install <tarball>` in an
// unrelated directory, and the installed copy decodes a frame.
const { test } = require('node:test');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { assert } = require('./helpers');

const root = path.join(__dirname, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

test('npm pack + npm install of the tarball from another directory', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wire-pack-'));
  try {
    const quiet = ['--no-audit', '--no-fund', '--loglevel=error'];
    const tarball = execFileSync(npm, ['pack', '--pack-destination', dir, ...quiet], { cwd: root, encoding: 'utf8' })
      .trim().split('\n').pop();
    const project = path.join(dir, 'app');
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'app', private: true }));
    execFileSync(npm, ['install', '--offline', ...quiet, path.join(dir, tarball)], { cwd: project, stdio: 'pipe' });
    const out = execFileSync(process.execPath, ['-e',
      "const w = require('wire-codec'); const f = w.dataexchange.decode(Buffer.from('0000000100000002686921', 'hex').subarray(0, 10));" +
      "process.stdout.write(f.type + ' ' + f.payload.toString())"], { cwd: project, encoding: 'utf8' });
    assert.equal(out, 'TypeText hi');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
