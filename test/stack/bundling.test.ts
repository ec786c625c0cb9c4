import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { ClickstackStack } from '../../lib/clickstack-stack';
import { TABLES } from '../../lambda/store/tables';

/** The one synth that bundles for real: esbuild from node_modules, no Docker. */
describe('function bundles', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'clickstack-synth-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('are built by the local esbuild, minified with source maps, and load in a fresh Node process', () => {
    const app = new App({ outdir });
    const stack = new ClickstackStack(app, 'Bundled');
    const assembly = app.synth();
    const template = assembly.getStackByName(stack.stackName).template as {
      Resources: Record<string, { Type: string; Properties: { Code: { S3Key: string } } }>;
    };
    const bundles = Object.values(template.Resources)
      .filter((resource) => resource.Type === 'AWS::Lambda::Function')
      .map((fn) => join(outdir, `asset.${fn.Properties.Code.S3Key.replace(/\.zip$/, '')}`));
    expect(bundles).toHaveLength(8);

    const environment = {
      ...process.env,
      AWS_REGION: 'us-east-1',
      ...Object.fromEntries(Object.values(TABLES).map((table) => [table.environmentVariable, 'table'])),
    };
    for (const bundle of bundles) {
      expect(existsSync(join(bundle, 'index.js.map'))).toBe(true);
      expect(statSync(join(bundle, 'index.js')).size).toBeLessThan(600 * 1024);
      const exported = execFileSync(process.execPath, ['-e', `console.log(typeof require(${JSON.stringify(join(bundle, 'index.js'))}).handler)`], {
        env: environment,
        encoding: 'utf8',
      });
      expect(exported.trim()).toBe('function');
    }
  });
});
