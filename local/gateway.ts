import { randomUUID } from 'node:crypto';
import { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { HttpHandler } from '../lambda/handler';
import { HttpResponse, error } from '../lambda/http';
import { ROUTES, Route } from '../lambda/routes';

/** API Gateway's own payload limit is 10 MB; nothing of ours needs more than a few KB. */
const MAX_REQUEST_BYTES = 1024 * 1024;
const TEXT_CONTENT = /^(text\/|application\/(json|xml|javascript))/;

export interface RouteMatch {
  readonly route: Route;
  readonly pathParameters: Record<string, string>;
}

interface CompiledRoute {
  readonly pattern: RegExp;
  readonly names: readonly string[];
}

const compiledRoutes = new WeakMap<Route, CompiledRoute>();

function compile(route: Route): CompiledRoute {
  let compiled = compiledRoutes.get(route);
  if (!compiled) {
    const names: string[] = [];
    const source = route.path
      .split('/')
      .map((segment) => {
        const parameter = /^\{(\w+)(\+?)\}$/.exec(segment);
        if (!parameter) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(parameter[1]);
        return parameter[2] ? '(.+)' : '([^/]+)';
      })
      .join('/');
    compiled = { pattern: new RegExp(`^${source}$`), names };
    compiledRoutes.set(route, compiled);
  }
  return compiled;
}

/** API Gateway's matching: `{name}` is one path segment, `{name+}` the rest; the method must match too. */
export function matchRoute(routes: readonly Route[], method: string, path: string): RouteMatch | undefined {
  for (const route of routes) {
    if (route.method !== method) continue;
    const { pattern, names } = compile(route);
    const match = pattern.exec(path);
    if (match) {
      return { route, pathParameters: Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1])])) };
    }
  }
  return undefined;
}

export interface GatewayRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  readonly body?: Buffer;
  readonly sourceIp: string;
}

/** The request as API Gateway's HTTP API (payload format 2.0) hands it to Lambda. */
export function apiGatewayEvent(request: GatewayRequest, { route, pathParameters }: RouteMatch): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined && name !== 'cookie') headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of request.url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  const cookie = request.headers.cookie;
  const isText = TEXT_CONTENT.test(headers['content-type'] ?? '');
  const routeKey = `${route.method} ${route.path}`;
  const host = headers.host ?? 'localhost';
  const now = new Date();
  return {
    version: '2.0',
    routeKey,
    rawPath: request.url.pathname,
    rawQueryString: request.url.search.slice(1),
    cookies: typeof cookie === 'string' ? cookie.split(/;\s*/) : undefined,
    headers,
    queryStringParameters: Object.keys(query).length > 0 ? query : undefined,
    pathParameters: Object.keys(pathParameters).length > 0 ? pathParameters : undefined,
    body: request.body && (isText ? request.body.toString('utf8') : request.body.toString('base64')),
    isBase64Encoded: request.body !== undefined && !isText,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: host,
      domainPrefix: host.split('.')[0],
      http: {
        method: request.method,
        path: request.url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
  };
}

export interface EventInit {
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly sourceIp?: string;
}

/**
 * The event the gateway would hand a handler for `method target`: for tests and the bench,
 * which call handlers directly.
 */
export function routeEvent(method: string, target: string, init: EventInit = {}): APIGatewayProxyEventV2 {
  const url = new URL(target, 'http://localhost');
  const match = matchRoute(ROUTES, method, url.pathname);
  if (!match) throw new Error(`no route for ${method} ${url.pathname}`);
  return apiGatewayEvent(
    {
      method,
      url,
      headers: init.headers ?? {},
      body: init.body === undefined ? undefined : Buffer.from(init.body),
      sourceIp: init.sourceIp ?? '203.0.113.1',
    },
    match,
  );
}

class RequestTooLarge extends Error {}

function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) reject(new RequestTooLarge());
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(size > 0 ? Buffer.concat(chunks) : undefined));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, result: HttpResponse): void {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  const body = result.body ? Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8') : undefined;
  response.writeHead(result.statusCode ?? 200, headers);
  response.end(body);
}

/** Static pages in front of the API, as CloudFront serves S3 paths: undefined for other paths. */
export type StaticSite = (path: string) => Promise<HttpResponse | undefined>;

/**
 * A local stand-in for API Gateway: matches the stack's routes and invokes the same handler
 * modules with the same event shape. Like API Gateway, a path or method with no route is a 404.
 * A `site` answers GETs for its own paths first, as CloudFront's S3 behavior does.
 */
export function createGateway(routes: readonly Route[], handlers: (route: Route) => HttpHandler, site?: StaticSite): Server {
  return createServer(async (request, response) => {
    try {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const method = request.method ?? 'GET';
      const page = method === 'GET' ? await site?.(url.pathname) : undefined;
      if (page) {
        send(response, page);
        return;
      }
      const match = matchRoute(routes, method, url.pathname);
      if (!match) {
        send(response, error(404, 'not found'));
        return;
      }
      const body = await readBody(request);
      const sourceIp = (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
      const event = apiGatewayEvent({ method, url, headers: request.headers, body, sourceIp }, match);
      send(response, await handlers(match.route)(event));
    } catch (caught) {
      // Only request decoding can throw here: handlers answer their own errors.
      send(response, caught instanceof RequestTooLarge ? error(413, 'request body too large') : error(400, 'malformed request'));
    }
  });
}
