// Packs the package with `npm pack` and installs the tarball into a scratch project, once per
// process, in a temporary folder: what a user gets from the registry, without the network (the
// package has no dependencies). Used by tests/package.test.mjs and tests/browser/install.test.mjs.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const PACKAGE_NAME = 'prolific-dataset-status';

/**
 * The environment for child npm and node processes: this one without the npm_* variables that
 * `npm test` sets (npm_config_local_prefix and friends would point npm back at the repository).
 * @param {Record<string, string>} [extra] variables to add
 */
export function cleanEnv(extra = {}) {
  const env = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(name)) env[name] = value;
  }
  return { ...env, ...extra };
}

/**
 * Runs a command, and on failure throws an error holding its output.
 * @returns {Promise<{ stdout: string, stderr: string }>}
 */
export async function runCommand(file, args, { cwd, env = cleanEnv(), timeout = 120_000 } = {}) {
  try {
    return await run(file, args, { cwd, env, timeout, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    error.message = `${file} ${args.join(' ')} failed (exit ${error.code}):\n${error.stdout ?? ''}\n${error.stderr ?? ''}`;
    throw error;
  }
}

let packed = null;

/**
 * Packs and installs the package (once per process).
 * @returns {Promise<{
 *   tempDir: string, tarball: string, tarballFiles: string[], npmFiles: string[],
 *   projectDir: string, packageDir: string,
 * }>} `tarballFiles`: the tarball's entries without the leading `package/`, sorted;
 *   `npmFiles`: the file list `npm pack --json` reported; `projectDir`: the scratch project with the
 *   tarball installed; `packageDir`: the installed package inside its node_modules.
 */
export function packAndInstall() {
  packed ??= doPackAndInstall();
  return packed;
}

async function doPackAndInstall() {
  for (const file of ['dist/prolific-dataset-status.mjs', 'dist/prolific-dataset-status.wasm']) {
    if (!existsSync(path.join(ROOT, file))) {
      throw new Error(`${file} is missing: build the module first (npm run build)`);
    }
  }
  const tempDir = await mkdtemp(path.join(tmpdir(), 'prolific-dataset-status-pack-'));
  try {
    return await packInto(tempDir);
  } catch (error) {
    await rm(tempDir, { recursive: true, force: true });
    throw error;
  }
}

async function packInto(tempDir) {
  const packDir = path.join(tempDir, 'pack');
  const projectDir = path.join(tempDir, 'project');
  const cacheDir = path.join(tempDir, 'npm-cache');
  await mkdir(packDir);
  await mkdir(projectDir);

  const { stdout } = await runCommand('npm', ['pack', '--json', '--pack-destination', packDir, '--cache', cacheDir],
    { cwd: ROOT });
  const [report] = JSON.parse(stdout.slice(stdout.indexOf('[')));
  const tarball = path.join(packDir, report.filename);
  const npmFiles = report.files.map((file) => file.path).sort();

  const listing = await runCommand('tar', ['-tzf', tarball]);
  const tarballFiles = listing.stdout.split('\n').filter(Boolean)
    .map((entry) => entry.replace(/^package\//, '')).filter((entry) => !entry.endsWith('/')).sort();

  await writeFile(path.join(projectDir, 'package.json'),
    `${JSON.stringify({ name: 'scratch-consumer', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`);
  await runCommand('npm', ['install', '--offline', '--no-audit', '--no-fund', '--cache', cacheDir, tarball],
    { cwd: projectDir });
  const packageDir = path.join(projectDir, 'node_modules', PACKAGE_NAME);
  return { tempDir, tarball, tarballFiles, npmFiles, projectDir, packageDir };
}

/** Removes the temporary folder, if packAndInstall() ran in this process. */
export async function cleanupPack() {
  if (!packed) return;
  const pending = packed;
  packed = null;
  const { tempDir } = await pending.catch(() => ({}));
  if (tempDir) await rm(tempDir, { recursive: true, force: true });
}
