import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { TtlCache } from '../domain/ttl-cache';
import { PostbackRefusal, attributeConversion, isRefusal, parsePostback } from '../domain/postback';
import { viewerIp } from '../domain/visit';
import { numberEnv } from '../env';
import { httpHandler } from '../handler';
import { HttpResponse, bodyText, error, gif, headersOf, json, requestFields } from '../http';
import { DynamoTrackerStore, documentClient } from '../store/dynamo-store';

const store = DynamoTrackerStore.fromEnvironment(documentClient);
const offers = new TtlCache(numberEnv('CONFIG_CACHE_SECONDS', 30) * 1000, (id) => store.getOffer(id));

const REFUSAL_STATUS: Record<PostbackRefusal['reason'], number> = {
  invalid: 400,
  'unknown-click': 404,
  'expired-click': 404,
};

/**
 * `GET|POST /postback` (S2S) and `GET /conversion.gif` (pixel): attributes the conversion to its
 * click and counts it once, however many times and however concurrently the network sends it.
 */
export const handler = httpHandler(async (event) => {
  const fields = requestFields(event);
  const now = new Date();
  const refuse = async (refusal: PostbackRefusal, clickId?: string): Promise<HttpResponse> => {
    await store.recordPostbackError({
      ...refusal,
      clickId,
      ip: viewerIp(headersOf(event), event.requestContext.http.sourceIp),
      request: describeRequest(event),
      at: now,
    });
    return error(REFUSAL_STATUS[refusal.reason], refusal.message);
  };

  const postback = parsePostback(fields);
  if (isRefusal(postback)) return refuse(postback, fields.cid?.slice(0, 64));

  const click = await store.getClick(postback.clickId);
  if (!click) return refuse({ reason: 'unknown-click', message: 'no click with this cid' }, postback.clickId);

  const conversion = attributeConversion(click, postback, await offers.get(click.offerId), now);
  if (isRefusal(conversion)) return refuse(conversion, postback.clickId);

  const status = await store.putConversion(conversion);
  if (event.rawPath === '/conversion.gif') return gif();
  return json(200, {
    status,
    cid: conversion.clickId,
    et: conversion.eventType ?? null,
    txid: conversion.txid ?? null,
    payout: conversion.payout,
    currency: conversion.currency ?? null,
  });
});

function describeRequest(event: APIGatewayProxyEventV2): string {
  const line = `${event.requestContext.http.method} ${event.rawPath}?${event.rawQueryString ?? ''}`;
  const body = bodyText(event);
  return body ? `${line}\n${body}` : line;
}
