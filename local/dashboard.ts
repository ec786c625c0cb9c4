import { runInNewContext } from 'node:vm';
import { extname } from 'node:path';
import { HttpResponse, error } from '../lambda/http';
import { DASHBOARD_CONTENT_SECURITY_POLICY, DASHBOARD_PATH, DASHBOARD_VIEWER_REQUEST, dashboardFiles } from '../dashboard/site';

type ViewerRequest = (event: { request: { uri: string } }) =>
  | { readonly uri: string }
  | { readonly statusCode: number; readonly headers: Record<string, { readonly value: string }> };

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/**
 * The dashboard as CloudFront serves it from S3: the same viewer-request function and content
 * security policy. Built in memory on the first request, so trackers that never show it pay nothing.
 * Answers undefined for paths that are not the dashboard's.
 */
export function localDashboard(): (path: string) => Promise<HttpResponse | undefined> {
  const viewerRequest = runInNewContext(`${DASHBOARD_VIEWER_REQUEST}; handler`) as ViewerRequest;
  let files: Promise<ReadonlyMap<string, Uint8Array>> | undefined;
  return async (path) => {
    if (!path.startsWith(DASHBOARD_PATH.slice(0, -1))) return undefined;
    const request = viewerRequest({ request: { uri: path } });
    if ('statusCode' in request) return { statusCode: request.statusCode, headers: { location: request.headers.location.value }, body: '' };
    files ??= dashboardFiles();
    const file = request.uri.startsWith(DASHBOARD_PATH) ? (await files).get(request.uri.slice(DASHBOARD_PATH.length)) : undefined;
    if (!file) return error(404, 'not found');
    return {
      statusCode: 200,
      headers: {
        'content-type': CONTENT_TYPES[extname(request.uri)] ?? 'application/octet-stream',
        'cache-control': 'no-cache',
        'content-security-policy': DASHBOARD_CONTENT_SECURITY_POLICY,
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
      },
      body: Buffer.from(file).toString('base64'),
      isBase64Encoded: true,
    };
  };
}
