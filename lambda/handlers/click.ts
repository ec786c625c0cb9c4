import { newClickId } from '../domain/click-id';
import { ID_PATTERN } from '../domain/config';
import { TtlCache } from '../domain/ttl-cache';
import { UnsafeRedirectError, recordVisit } from '../domain/visit';
import { numberEnv } from '../env';
import { httpHandler, logger } from '../handler';
import { error, headersOf, queryOf, redirect } from '../http';
import { DynamoTrackerStore, documentClient } from '../store/dynamo-store';

const store = DynamoTrackerStore.fromEnvironment(documentClient);
const clickTtlSeconds = numberEnv('CLICK_TTL_DAYS', 30) * 24 * 3600;
const campaigns = new TtlCache(numberEnv('CONFIG_CACHE_SECONDS', 30) * 1000, (id) => store.getCampaignBundle(id));

/** `GET /c/{campaignId}`: records the visit under a fresh click ID and redirects to the offer. */
export const handler = httpHandler(async (event) => {
  const campaignId = event.pathParameters?.campaignId ?? '';
  const bundle = ID_PATTERN.test(campaignId) ? await campaigns.get(campaignId) : undefined;
  if (!bundle) return error(404, 'unknown campaign');

  const now = new Date();
  let visit;
  try {
    visit = recordVisit(
      bundle,
      { query: queryOf(event), headers: headersOf(event), sourceIp: event.requestContext.http.sourceIp },
      { clickId: newClickId(now), now, clickTtlSeconds },
    );
  } catch (caught) {
    if (!(caught instanceof UnsafeRedirectError)) throw caught;
    logger.error('offer URL refused', { campaignId, reason: caught.message });
    return error(500, `the offer URL of campaign ${campaignId} is misconfigured`);
  }

  try {
    await store.putClick(visit.click);
  } catch (caught) {
    // The visitor still gets the offer; the full click is in the log for replay.
    logger.error('click write failed', { error: caught as Error, click: visit.click });
  }
  return redirect(visit.location);
});
