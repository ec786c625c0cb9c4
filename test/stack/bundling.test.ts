import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { ClickstackStack } from '../../lib/clickstack-stack';
import { TABLES } from '../../lambda/store/tables';
import { isOurFunction } from '../support/stack';

/** The one synth that bundles for real: esbuild from node_modules, no Docker. */
describe('function bundles', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'clickstack-synth-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));
  let template: { Resources: Record<string, { Type: string; Properties: { Code: { S3Key: string }; SourceObjectKeys: string[] } }> };
  beforeAll(() => {
    const app = new App({ outdir });
    const stack = new ClickstackStack(app, 'Bundled');
    template = app.synth().getStackByName(stack.stackName).template;
  });

  it('are built by the local esbuild, minified with source maps, and load in a fresh Node process', () => {
    const bundles = Object.entries(template.Resources)
      .filter(([id, resource]) => resource.Type === 'AWS::Lambda::Function' && isOurFunction(id))
      .map(([, fn]) => join(outdir, `asset.${fn.Properties.Code.S3Key.replace(/\.zip$/, '')}`));
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

  it('include the dashboard page, built by the same esbuild, with nothing of the build kept in the bundle', () => {
    const [deployment] = Object.values(template.Resources).filter((resource) => resource.Type === 'Custom::CDKBucketDeployment');
    const page = join(outdir, `asset.${deployment.Properties.SourceObjectKeys[0].replace(/\.zip$/, '')}`);
    expect(readdirSync(page).sort()).toEqual(['app.css', 'app.js', 'index.html']);
    expect(readFileSync(join(page, 'index.html'), 'utf8')).toContain('<script src="app.js" defer></script>');
    expect(statSync(join(page, 'app.js')).size).toBeLessThan(150 * 1024);
  });
});
