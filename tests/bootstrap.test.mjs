// scripts/bootstrap.sh: `--start` (npm start) installs only what running the dashboard needs, the
// default (npm test, .ci/run) everything. Run on a copy of the script in a scratch folder, with a
// PATH that holds node and recorders standing in for sudo, apt-get and npm, so nothing is installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const SCRIPT = fileURLToPath(new URL('../scripts/bootstrap.sh', import.meta.url));

async function scratch({ built }) {
  const root = await mkdtemp(path.join(tmpdir(), 'bootstrap-test-'));
  const bin = path.join(root, 'bin');
  await mkdir(path.join(root, 'scripts'), { recursive: true });
  await mkdir(bin);
  await copyFile(SCRIPT, path.join(root, 'scripts', 'bootstrap.sh'));
  await writeFile(path.join(root, 'package-lock.json'), '{}');
  if (built) {
    await mkdir(path.join(root, 'dist'));
    await writeFile(path.join(root, 'dist', 'prolific-dataset-status.mjs'), '');
    await writeFile(path.join(root, 'dist', 'prolific-dataset-status.wasm'), '');
  }
  await symlink(process.execPath, path.join(bin, 'node'));
  for (const tool of ['dirname', 'id']) await symlink(`/usr/bin/${tool}`, path.join(bin, tool));
  const log = path.join(root, 'calls.log');
  for (const tool of ['sudo', 'apt-get', 'npm']) {
    // sudo runs its command; apt-get and npm only record their arguments.
    const body = tool === 'sudo' ? '"$@"' : `echo "${tool} $*" >> "${log}"`;
    await writeFile(path.join(bin, tool), `#!/bin/bash\n${body}\n`);
    await chmod(path.join(bin, tool), 0o755);
  }
  const run = async (...args) => {
    await rm(log, { force: true });
    await promisify(execFile)('/bin/bash', [path.join(root, 'scripts', 'bootstrap.sh'), ...args],
      { env: { PATH: bin, HOME: root }, timeout: 60_000 });
    return (await readFile(log, 'utf8').catch(() => '')).trim().split('\n').filter(Boolean);
  };
  return { run, cleanup: () => rm(root, { recursive: true, force: true }) };
}

const installed = (calls) => calls.filter((call) => call.startsWith('apt-get install'))
  .flatMap((call) => call.split(' ').slice(2).filter((word) => !word.startsWith('-'))).sort();

test('--start with the module built installs nothing; the default installs the test tools and npm packages', async () => {
  const box = await scratch({ built: true });
  try {
    assert.deepEqual(await box.run('--start'), []);
    const calls = await box.run();
    for (const name of ['clang', 'g++', 'emscripten', 'cmake']) assert.ok(installed(calls).includes(name), `${name}: ${calls}`);
    assert.ok(calls.includes('npm ci --no-audit --no-fund --loglevel=error'), calls.join('\n'));
  } finally {
    await box.cleanup();
  }
});

test('--start without the module installs only what building it needs, and no npm package', async () => {
  const box = await scratch({ built: false });
  try {
    const calls = await box.run('--start');
    const build = ['cmake', 'emscripten', 'make', 'nlohmann-json3-dev'];
    assert.ok(installed(calls).includes('emscripten'), calls.join('\n'));
    assert.deepEqual(installed(calls).filter((name) => !build.includes(name)), [], 'only build tools');
    assert.ok(!calls.some((call) => call.startsWith('npm')));
  } finally {
    await box.cleanup();
  }
});
