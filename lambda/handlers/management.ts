import { createHash } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError } from '../domain/config';
import { COLLECTIONS, ConfigService, Conflict, NotFound } from '../domain/config-service';
import { buildReport, parseReportQuery, toCsv, utcDaysFor } from '../domain/reports';
import { secretsEqual } from '../domain/secrets';
import { TtlCache } from '../domain/ttl-cache';
import { httpHandler } from '../handler';
import { HttpResponse, bodyText, error, headersOf, json, queryOf } from '../http';
import { BadCursor } from '../store/dynamo-store';
import { Page } from '../store/tracker-store';
import { trackerStore } from '../wiring';

const service = new ConfigService(trackerStore());
const secrets = process.env.MANAGEMENT_TOKEN_SECRET_ARN ? new SecretsManagerClient({}) : undefined;
/** Read again every 5 minutes: a new hash put into the secret takes effect without a deploy. */
const tokenHash = new TtlCache(5 * 60 * 1000, async (secretId) => {
  const { SecretString } = await secrets!.send(new GetSecretValueCommand({ SecretId: secretId }));
  return SecretString?.trim();
});

/**
 * A bearer token is checked against its SHA-256: MANAGEMENT_TOKEN_SHA256 locally, the value of
 * the MANAGEMENT_TOKEN_SECRET_ARN secret in AWS. The token itself is stored nowhere.
 */
async function authorize(authorization: string | undefined): Promise<HttpResponse | undefined> {
  const secretArn = process.env.MANAGEMENT_TOKEN_SECRET_ARN;
  const expected = process.env.MANAGEMENT_TOKEN_SHA256 ?? (secretArn ? await tokenHash.get(secretArn) : undefined);
  if (!expected || !/^[0-9a-f]{64}$/i.test(expected)) return error(503, 'the management API has no token hash configured');
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!token) return { ...error(401, 'send Authorization: Bearer <management token>'), headers: { 'www-authenticate': 'Bearer' } };
  const hash = createHash('sha256').update(token).digest('hex');
  return secretsEqual(hash, expected.toLowerCase()) ? undefined : error(403, 'the management token is not valid');
}

/** `GET /api/reports?from=&to=&tz=&groupBy=&campaign=…&conversionTime=&format=csv` */
async function report(params: Record<string, string | undefined>): Promise<HttpResponse> {
  let query;
  try {
    query = parseReportQuery(params);
  } catch (caught) {
    if (caught instanceof ConfigError) return error(400, caught.message);
    throw caught;
  }
  // Without a campaign filter, deleted campaigns count too: their visits and revenue happened.
  const rows = buildReport(query, await trackerStore().queryStats(utcDaysFor(query), query.filters.campaign));
  if (params.format === 'csv') {
    return { statusCode: 200, headers: { 'content-type': 'text/csv; charset=utf-8', 'cache-control': 'no-store' }, body: toCsv(query, rows) };
  }
  if (params.format !== undefined && params.format !== 'json') return error(400, "format must be 'json' or 'csv'");
  return json(200, { query, rows });
}

/** A newest-first raw view: `limit` 1-100 (25), `cursor` from the previous page. */
async function page(params: Record<string, string | undefined>, fetch: (limit: number, cursor?: string) => Promise<Page<unknown>>): Promise<HttpResponse> {
  const limit = Number(params.limit ?? 25);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) return error(400, 'limit must be a whole number from 1 to 100');
  try {
    return json(200, await fetch(limit, params.cursor));
  } catch (caught) {
    if (caught instanceof BadCursor) return error(400, 'cursor is not one this API gave out');
    throw caught;
  }
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ConfigError('body must be JSON');
  }
}

/**
 * `/api/{collection}[/{id}]` for campaigns, offers, landers, traffic-sources and networks:
 * GET lists or reads, POST creates, PUT creates or replaces, DELETE removes what nothing uses.
 * `GET /api/campaigns/{id}/urls`: the URLs to give the traffic source, landers and networks.
 * `GET /api/reports`: visits, clicks, conversions, revenue, cost and their ratios, grouped.
 * `GET /api/campaigns/{id}/visits|conversions`, `GET /api/postback-errors?day=`: raw views, newest first.
 */
export const handler = httpHandler(async (event) => {
  const refused = await authorize(headersOf(event).authorization);
  if (refused) return refused;
  const [collection, id, extra, ...rest] = (event.pathParameters?.proxy ?? '').split('/');
  const method = event.requestContext.http.method;
  if (collection === 'reports' && id === undefined && method === 'GET') return report(queryOf(event));
  if (collection === 'postback-errors' && id === undefined && method === 'GET') {
    const params = queryOf(event);
    const day = params.day ?? new Date().toISOString().slice(0, 10);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return error(400, 'day must be a UTC day, YYYY-MM-DD');
    return page(params, (limit, cursor) => trackerStore().postbackErrors(day, limit, cursor));
  }
  const entityType = COLLECTIONS[collection];
  if (!entityType || rest.length > 0) return error(404, `no such resource; collections are ${Object.keys(COLLECTIONS).join(', ')}`);
  try {
    if (extra !== undefined) {
      if (entityType !== 'campaign' || method !== 'GET') return error(404, 'no such resource');
      if (extra === 'visits') return page(queryOf(event), (limit, cursor) => trackerStore().recentVisits(id, limit, cursor));
      if (extra === 'conversions') return page(queryOf(event), (limit, cursor) => trackerStore().latestConversions(id, limit, cursor));
      if (extra !== 'urls') return error(404, 'no such resource; a campaign has urls, visits and conversions');
      const host = headersOf(event)['x-forwarded-host'] ?? headersOf(event).host;
      const scheme = headersOf(event)['x-forwarded-proto'] ?? (host?.startsWith('127.0.0.1') || host?.startsWith('localhost') ? 'http' : 'https');
      return json(200, await service.urls(id, `${scheme}://${host}`));
    }
    if (id === undefined || id === '') {
      if (method === 'GET') return json(200, { items: await service.list(entityType) });
      if (method === 'POST') return json(201, await service.save(entityType, parseBody(bodyText(event)), 'create'));
      return error(405, `${method} needs an id: /api/${collection}/{id}`);
    }
    switch (method) {
      case 'GET':
        return json(200, await service.get(entityType, id));
      case 'PUT': {
        const body = parseBody(bodyText(event)) as { id?: unknown };
        if (typeof body === 'object' && body !== null && body.id !== undefined && body.id !== id) {
          throw new ConfigError(`${entityType}.id in the body must be the id in the path`);
        }
        return json(200, await service.save(entityType, { ...body, id }, 'put'));
      }
      case 'DELETE':
        await service.delete(entityType, id);
        return { statusCode: 204, headers: { 'cache-control': 'no-store' }, body: '' };
      default:
        return error(405, `${method} is not allowed on /api/${collection}/{id}`);
    }
  } catch (caught) {
    if (caught instanceof ConfigError) return error(400, caught.message);
    if (caught instanceof NotFound) return error(404, caught.message);
    if (caught instanceof Conflict) return error(409, caught.message);
    throw caught;
  }
});
