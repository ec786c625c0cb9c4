import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BuildOptions, build, buildSync } from 'esbuild';

/** Where the dashboard lives on the tracking domain, in S3 and on the local runtime. */
export const DASHBOARD_PATH = '/dashboard/';

/**
 * Only the page's own scripts, styles and API calls: a token in sessionStorage is worth
 * stealing, so nothing inline and nothing from elsewhere may run.
 */
export const DASHBOARD_CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/**
 * CloudFront viewer-request function (JS 2.0) of the dashboard behavior: S3 has no index
 * documents behind an origin access control, so directory paths get their index.html here.
 * The local runtime runs this same source.
 */
export const DASHBOARD_VIEWER_REQUEST = `function handler(event) {
  var request = event.request;
  if (request.uri === '${DASHBOARD_PATH.slice(0, -1)}') {
    return { statusCode: 301, statusDescription: 'Moved Permanently', headers: { location: { value: '${DASHBOARD_PATH}' } } };
  }
  if (request.uri.endsWith('/')) request.uri += 'index.html';
  return request;
}`;

const SOURCE = join(__dirname, 'src');

function options(): BuildOptions {
  return {
    entryPoints: { app: join(SOURCE, 'main.ts') },
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['chrome115', 'firefox115', 'safari16'],
    charset: 'utf8',
    logLevel: 'silent',
  };
}

/** Builds the page into `outdir`: index.html, app.js, app.css. For the stack's asset bundling. */
export function buildDashboard(outdir: string): void {
  buildSync({ ...options(), outdir });
  copyFileSync(join(SOURCE, 'index.html'), join(outdir, 'index.html'));
}

/** The same build in memory, keyed by path below the dashboard (`app.js`). For the local runtime. */
export async function dashboardFiles(): Promise<ReadonlyMap<string, Uint8Array>> {
  const result = await build({ ...options(), outdir: '/', write: false });
  const files = new Map<string, Uint8Array>(result.outputFiles.map((file) => [file.path.slice(1), file.contents]));
  files.set('index.html', readFileSync(join(SOURCE, 'index.html')));
  return files;
}
