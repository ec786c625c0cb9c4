import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export type HttpResponse = APIGatewayProxyStructuredResultV2;

const NO_STORE = { 'cache-control': 'no-store' };

export function json(statusCode: number, body: unknown): HttpResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', ...NO_STORE },
    body: JSON.stringify(body),
  };
}

export function error(statusCode: number, message: string): HttpResponse {
  return json(statusCode, { error: message });
}

export function redirect(location: string): HttpResponse {
  return { statusCode: 302, headers: { location, ...NO_STORE }, body: '' };
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * An HTML page that sends the browser on: the offer sees no tracker URL as the referrer, and with
 * the no-referrer policy no referrer at all.
 */
export function metaRefresh(location: string): HttpResponse {
  const url = location.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]);
  return {
    statusCode: 200,
    headers: { 'content-type': 'text/html; charset=utf-8', 'referrer-policy': 'no-referrer', ...NO_STORE },
    body: `<!doctype html><html><head><meta name="referrer" content="no-referrer"><meta http-equiv="refresh" content="0;url=${url}"></head><body></body></html>`,
  };
}

export function cookieValue(event: APIGatewayProxyEventV2, name: string): string | undefined {
  for (const cookie of event.cookies ?? []) {
    const separator = cookie.indexOf('=');
    if (separator > 0 && cookie.slice(0, separator).trim() === name) return decodeURIComponent(cookie.slice(separator + 1).trim());
  }
  return undefined;
}

const TRANSPARENT_GIF = 'R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7';

export function gif(): HttpResponse {
  return { statusCode: 200, headers: { 'content-type': 'image/gif', ...NO_STORE }, body: TRANSPARENT_GIF, isBase64Encoded: true };
}

/** Lowercased header names; API Gateway already lowercases them, the local gateway too. */
export function headersOf(event: APIGatewayProxyEventV2): Record<string, string | undefined> {
  return event.headers ?? {};
}

export function queryOf(event: APIGatewayProxyEventV2): Record<string, string | undefined> {
  return Object.fromEntries(new URLSearchParams(event.rawQueryString ?? ''));
}

export class BadRequest extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** API Gateway base64-encodes bodies it does not consider text. */
export function bodyText(event: APIGatewayProxyEventV2): string {
  if (!event.body) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

const MAX_BODY_BYTES = 8 * 1024;

/**
 * Query fields merged with a form-encoded or JSON body (body wins). Networks post either way.
 * @throws BadRequest for a body that is too large, of an unknown type or malformed
 */
export function requestFields(event: APIGatewayProxyEventV2): Record<string, string | undefined> {
  const fields = queryOf(event);
  if (!event.body) return fields;
  const body = bodyText(event);
  if (Buffer.byteLength(body) > MAX_BODY_BYTES) throw new BadRequest(413, `body must be at most ${MAX_BODY_BYTES} bytes`);
  const contentType = (headersOf(event)['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (contentType === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new BadRequest(400, 'body is not valid JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new BadRequest(400, 'JSON body must be an object');
    }
    for (const [name, value] of Object.entries(parsed)) {
      if (typeof value === 'string' || typeof value === 'number') fields[name] = String(value);
    }
    return fields;
  }
  if (contentType === '' || contentType === 'application/x-www-form-urlencoded' || contentType === 'text/plain') {
    for (const [name, value] of new URLSearchParams(body)) fields[name] = value;
    return fields;
  }
  throw new BadRequest(415, 'body must be application/x-www-form-urlencoded or application/json');
}
