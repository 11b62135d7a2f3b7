// scripts/dist's Node part: writes the platform package's package.json next to the addon it
// holds, and stages the main package (the files bindings-node/package.json publishes, minus
// any addon of the build machine) with the platform package as an optional dependency, the
// layout napi-rs projects publish.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const [version, platformDir, mainDir] = process.argv.slice(2);
const source = path.join(__dirname, '..', 'bindings-node');
const pkg = JSON.parse(fs.readFileSync(path.join(source, 'package.json'), 'utf8'));
if (pkg.version !== version) {
  throw new Error(`bindings-node/package.json is ${pkg.version}, the workspace ${version}`);
}
const platformName = `${pkg.name}-linux-x64-gnu`;
const addon = `${pkg.napi.binaryName}.linux-x64-gnu.node`;

const write = (dir, json) => fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(json, null, 2)}\n`);

write(platformDir, {
  name: platformName,
  version,
  description: `${pkg.name}'s addon for Linux x64, glibc 2.17 or newer`,
  license: pkg.license,
  os: ['linux'],
  cpu: ['x64'],
  libc: ['glibc'],
  main: addon,
  files: [addon],
});

fs.mkdirSync(mainDir, { recursive: true });
for (const entry of pkg.files.filter((f) => !f.endsWith('.node'))) {
  fs.cpSync(path.join(source, entry), path.join(mainDir, entry), { recursive: true });
}
for (const license of ['LICENSE-MIT', 'LICENSE-APACHE']) {
  fs.copyFileSync(path.join(__dirname, '..', license), path.join(mainDir, license));
}
const { devDependencies, scripts, ...published } = pkg;
write(mainDir, {
  ...published,
  files: pkg.files.filter((f) => !f.endsWith('.node')),
  scripts: { install: scripts.install },
  optionalDependencies: { [platformName]: version },
});
