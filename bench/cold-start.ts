import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildSync } from 'esbuild';
import { TABLES } from '../lambda/store/tables';
import { ClickstackStack } from '../lib/clickstack-stack';

export interface ColdStart {
  readonly bundle: string;
  readonly bytes: number;
  readonly loadMs: number;
  readonly rssMb: number;
}

const RUNS = 7;
const ROOT = join(__dirname, '..');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Time to load the bundle (module scope: clients built, env read) in a fresh Node process. */
function load(file: string): { loadMs: number; rssMb: number } {
  const environment = {
    ...process.env,
    AWS_REGION: 'us-east-1',
    ...Object.fromEntries(Object.values(TABLES).map((table) => [table.environmentVariable, 'table'])),
  };
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});` +
    `console.log(JSON.stringify({ms:Number(process.hrtime.bigint()-t)/1e6,rss:process.memoryUsage().rss/1048576}))`;
  const samples = Array.from({ length: RUNS }, () =>
    JSON.parse(execFileSync(process.execPath, ['-e', script], { env: environment, encoding: 'utf8' })) as { ms: number; rss: number },
  );
  return { loadMs: median(samples.map((s) => s.ms)), rssMb: median(samples.map((s) => s.rss)) };
}

/**
 * Cold-start proxies: the bundles `cdk synth` ships (built by the stack's own bundling), against
 * a bundle that only imports and constructs the DynamoDB DocumentClient, built the same way.
 */
export function measureColdStart(): ColdStart[] {
  const outdir = mkdtempSync(join(tmpdir(), 'clickstack-bench-'));
  try {
    const app = new App({ outdir });
    const stack = new ClickstackStack(app, 'Bench');
    const template = app.synth().getStackByName(stack.stackName).template as {
      Resources: Record<string, { Type: string; Properties: { Code: { S3Key: string }; Description: string; Runtime: string } }>;
    };
    const baselineEntry = join(outdir, 'baseline.ts');
    writeFileSync(
      baselineEntry,
      `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nimport { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';\n` +
        `export const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));\n`,
    );
    const baselineFile = join(outdir, 'baseline.js');
    buildSync({
      entryPoints: [baselineEntry],
      outfile: baselineFile,
      bundle: true,
      platform: 'node',
      target: 'node22',
      minify: true,
      mainFields: ['module', 'main'],
      nodePaths: [join(ROOT, 'node_modules')],
      logLevel: 'silent',
    });
    const bundles = [{ bundle: 'DocumentClient only (baseline)', file: baselineFile }];
    // Our Node bundles; aws-cdk-lib's own deployment handler (Python) is not one.
    for (const fn of Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::Lambda::Function' && resource.Properties.Runtime.startsWith('nodejs'))) {
      const dir = join(outdir, `asset.${fn.Properties.Code.S3Key.replace(/\.zip$/, '')}`);
      const file = readdirSync(dir).find((name) => name === 'index.js')!;
      bundles.push({ bundle: fn.Properties.Description.split(':')[0], file: join(dir, file) });
    }
    return bundles.map(({ bundle, file }) => ({ bundle, bytes: statSync(file).size, ...load(file) }));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
