import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import autocannon from 'autocannon';

export interface LoadResult {
  readonly name: string;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly expectedStatus: number;
  /** Responses that were not the expected status, plus socket errors and timeouts. */
  readonly failures: number;
}

const ROOT = join(__dirname, '..');

/** Starts a benchmark target in its own process and waits for its ready line. */
export function startTarget(kind: string, ...args: string[]): Promise<{ ready: Record<string, unknown>; stop: () => void }> {
  const child: ChildProcess = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(__dirname, 'targets.ts'), kind, ...args], {
    cwd: ROOT,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    stdio: ['ignore', 'pipe', 'inherit'],
    // Its own process group: tsx runs the target in a grandchild that must stop with it.
    detached: true,
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((candidate) => candidate.startsWith('{') || candidate.startsWith('['));
      if (line && output.includes('\n')) resolve({ ready: JSON.parse(line), stop: () => process.kill(-child.pid!, 'SIGKILL') });
    });
    child.on('exit', (code) => reject(new Error(`bench target ${kind} exited with ${code}`)));
  });
}

export interface LoadOptions {
  readonly durationSeconds: number;
  readonly connections: number;
}

/** autocannon against one URL (or a request per call of `path`), after a short warm-up. */
export async function load(
  name: string,
  baseUrl: string,
  path: (i: number) => string,
  expectedStatus: number,
  options: LoadOptions,
): Promise<LoadResult> {
  let counter = 0;
  const run = (duration: number) =>
    autocannon({
      url: baseUrl,
      connections: options.connections,
      duration,
      requests: [{ setupRequest: (request) => ({ ...request, path: path(counter++) }) }],
    });
  await run(1);
  const result = await run(options.durationSeconds);
  const byStatus = result as unknown as Record<string, number>;
  const expected = byStatus[`${Math.floor(expectedStatus / 100)}xx`];
  const total = ['1xx', '2xx', '3xx', '4xx', '5xx'].reduce((sum, key) => sum + byStatus[key], 0);
  return {
    name,
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    expectedStatus,
    failures: total - expected + result.errors + result.timeouts,
  };
}
