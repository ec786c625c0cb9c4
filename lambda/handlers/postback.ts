import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { RefusalReason } from '../domain/postback';
import { count, httpHandler } from '../handler';
import { bodyText, cookieValue, error, gif, json, requestFields } from '../http';
import { CLICK_COOKIE } from '../redirects';
import { clientIp } from '../origin';
import { postbackService } from '../wiring';

const service = postbackService();

const REFUSAL_STATUS: Record<RefusalReason, number> = {
  invalid: 400,
  forbidden: 403,
  'unknown-click': 404,
  'expired-click': 404,
};

const OUTCOME_METRIC = {
  converted: 'conversions',
  duplicate: 'duplicatePostbacks',
  updated: 'conversionStatusChanges',
  pending: 'pendingPostbacks',
  refused: 'postbackErrors',
} as const;

/**
 * `GET|POST /postback` (S2S) and `GET /conversion.gif` (pixel): attributes the conversion to its
 * click and counts it once, however many times and however concurrently the network sends it.
 * Callable through CloudFront and on the API's own domain: networks whitelist either.
 */
export const handler = httpHandler(async (event) => {
  const fields = requestFields(event);
  // The pixel fires on the advertiser's page: the click cookie on the tracking domain names the click.
  if (!fields.cid && event.rawPath === '/conversion.gif') fields.cid = cookieValue(event, CLICK_COOKIE);
  const result = await service.receive({
    fields,
    ip: clientIp(event),
    request: describeRequest(event),
    receivedAt: new Date().toISOString(),
    id: event.requestContext.requestId,
  });
  count(OUTCOME_METRIC[result.outcome], result.outcome === 'refused' ? { reason: result.refusal.reason } : {});
  if (result.outcome === 'refused') return error(REFUSAL_STATUS[result.refusal.reason], result.refusal.message);
  if (event.rawPath === '/conversion.gif') return gif();
  if (result.outcome === 'pending') {
    return json(202, { status: 'pending', cid: result.clickId, message: 'the click is not recorded yet; the conversion will be counted when it is' });
  }
  const { conversion } = result;
  return json(200, {
    status: result.outcome,
    cid: conversion.clickId,
    et: conversion.eventType ?? null,
    txid: conversion.txid ?? null,
    payout: conversion.payout,
    currency: conversion.currency ?? null,
    ...(conversion.status ? { conversionStatus: conversion.status } : {}),
  });
});

function describeRequest(event: APIGatewayProxyEventV2): string {
  const line = `${event.requestContext.http.method} ${event.rawPath}?${event.rawQueryString ?? ''}`;
  const body = bodyText(event);
  return body ? `${line}\n${body}` : line;
}
