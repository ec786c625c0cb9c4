import { randomUUID } from 'node:crypto';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { HttpHandler } from '../lambda/handler';
import { error } from '../lambda/http';
import { Route } from '../lambda/routes';

/** API Gateway's own payload limit is 10 MB; nothing of ours needs more than a few KB. */
const MAX_REQUEST_BYTES = 1024 * 1024;
const TEXT_CONTENT = /^(text\/|application\/(json|xml|javascript))/;

interface CompiledRoute {
  readonly routeKey: string;
  readonly method: string;
  readonly pattern: RegExp;
  readonly parameterNames: readonly string[];
  readonly handler: HttpHandler;
}

function compile(route: Route, handler: HttpHandler): CompiledRoute {
  const parameterNames: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      const parameter = /^\{(\w+)\}$/.exec(segment);
      if (!parameter) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      parameterNames.push(parameter[1]);
      return '([^/]+)';
    })
    .join('/');
  return {
    routeKey: `${route.method} ${route.path}`,
    method: route.method,
    pattern: new RegExp(`^${source}$`),
    parameterNames,
    handler,
  };
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

/** The request as API Gateway's HTTP API (payload format 2.0) hands it to Lambda. */
function toEvent(
  request: IncomingMessage,
  route: CompiledRoute,
  match: RegExpExecArray,
  url: URL,
  body: Buffer | undefined,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined && name !== 'cookie') headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  const pathParameters = Object.fromEntries(route.parameterNames.map((name, i) => [name, decodeURIComponent(match[i + 1])]));
  const isText = TEXT_CONTENT.test(headers['content-type'] ?? '');
  const now = new Date();
  return {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    cookies: request.headers.cookie?.split(/;\s*/),
    headers,
    queryStringParameters: Object.keys(query).length > 0 ? query : undefined,
    pathParameters: route.parameterNames.length > 0 ? pathParameters : undefined,
    body: body && (isText ? body.toString('utf8') : body.toString('base64')),
    isBase64Encoded: body !== undefined && !isText,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0],
      http: {
        method: request.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: route.routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
  };
}

function send(response: ServerResponse, result: Awaited<ReturnType<HttpHandler>>): void {
  const headers: Record<string, string | string[]> = { ...(result.headers as Record<string, string>) };
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  const body = result.body ? Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8') : undefined;
  response.writeHead(result.statusCode ?? 200, headers);
  response.end(body);
}

/**
 * A local stand-in for API Gateway: matches the stack's routes and invokes the same handler
 * modules with the same event shape. Like API Gateway, a path or method with no route is a 404.
 */
export function createGateway(routes: ReadonlyArray<{ route: Route; handler: HttpHandler }>): Server {
  const compiled = routes.map(({ route, handler }) => compile(route, handler));
  return createServer(async (request, response) => {
    try {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const route = compiled.find((candidate) => candidate.method === request.method && candidate.pattern.test(url.pathname));
      if (!route) {
        send(response, error(404, 'not found'));
        return;
      }
      const body = await readBody(request);
      const match = route.pattern.exec(url.pathname) as RegExpExecArray;
      send(response, await route.handler(toEvent(request, route, match, url, body)));
    } catch (caught) {
      // Only request decoding can throw here: handlers answer their own errors.
      send(response, caught instanceof RequestTooLarge ? error(413, 'request body too large') : error(400, 'malformed request'));
    }
  });
}
