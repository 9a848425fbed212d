// Runs `prolific-dataset-status serve` as a real process (the package's bin), for the dashboard
// server tests: waits for its "Dashboard: <url>" and "Press Ctrl-C" lines, keeps its output, stops it with SIGTERM.
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../src/js/cli.js', import.meta.url));

/** The environment without the variables the server reads, plus `extra`. */
export function serverEnv(extra = {}) {
  const env = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(PROLIFIC_|DASHBOARD_|PORT$|npm_)/.test(name)) env[name] = value;
  }
  return { ...env, ...extra };
}

/**
 * Starts `node <bin> serve ...args` and resolves once it listens.
 * @returns {Promise<{ url: string, port: number, child, output: () => string, stdout: () => string,
 *   stop: () => Promise<number> }>}
 */
export function startServeProcess(args, { env = serverEnv(), bin = BIN, command = [process.execPath, bin, 'serve'] } = {}) {
  const [file, ...pre] = command;
  const child = spawn(file, [...pre, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => { stdout += chunk; });
  child.stderr.setEncoding('utf8').on('data', (chunk) => { stderr += chunk; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not start in time:\n${stdout}\n${stderr}`));
    }, 60_000);
    const onData = () => {
      const match = /Dashboard: (http:\/\/[^\s]+)\//.exec(stdout);
      if (!match || !stdout.includes('Press Ctrl-C to stop')) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      resolve({
        url: match[1],
        port: Number(new URL(match[1]).port),
        child,
        stdout: () => stdout,
        output: () => stdout + stderr,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          return exited;
        },
      });
    };
    child.stdout.on('data', onData);
    exited.then((code) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`serve exited with ${code}:\n${stdout}\n${stderr}`), { code, stdout, stderr }));
    });
  });
}

/** Runs `node <bin> serve ...args` to its end (for refusals at start). */
export function runServeToEnd(args, { env = serverEnv() } = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'serve', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk) => { stderr += chunk; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * One GET with chosen headers (Host included) to 127.0.0.1:port.
 * @returns {Promise<{ status: number, headers: object, body: string }>}
 */
export function get(port, path, headers = {}) {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('latin1') }));
      res.on('error', reject);
    });
    request.on('error', reject);
    request.end();
  });
}

/** Sends raw request bytes and resolves with the raw answer (up to the connection's end). */
export function rawRequest(port, text) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk) => { answer += chunk; });
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer')));
  });
}
