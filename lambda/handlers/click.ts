import { newClickId } from '../domain/click-id';
import { ID_PATTERN } from '../domain/config';
import { UnsafeRedirectError, Visit, recordVisit } from '../domain/visit';
import { numberEnv } from '../env';
import { count, httpHandler, logger } from '../handler';
import { error, headersOf, queryOf, redirect } from '../http';
import { viaCloudFront } from '../origin';
import { clickCookie, offerRedirect } from '../redirects';
import { clickBuffer, configCache, trackerStore } from '../wiring';

const store = trackerStore();
const buffer = clickBuffer();
const clickTtlSeconds = numberEnv('CLICK_TTL_DAYS', 30) * 24 * 3600;
const campaigns = configCache((id) => store.getCampaignBundle(id));

/**
 * `GET /c/{campaignId}`: records the visit under a fresh click ID and sends the visitor down the
 * campaign's path: to a lander, or straight to an offer. One DynamoDB write, no read (config is
 * cached). If the write fails the visitor is redirected
 * all the same and the click goes to the buffer queue, to be written by the click-buffer worker.
 */
export const handler = httpHandler(async (event) => {
  if (!viaCloudFront(event)) return error(403, 'visitors must come through the tracking domain');
  const campaignId = event.pathParameters?.campaignId ?? '';
  const bundle = ID_PATTERN.test(campaignId) ? await campaigns.get(campaignId) : undefined;
  if (!bundle) return error(404, 'unknown campaign');

  const now = new Date();
  let visit: Visit;
  try {
    visit = recordVisit(
      bundle,
      { query: queryOf(event), headers: headersOf(event), sourceIp: event.requestContext.http.sourceIp },
      { clickId: newClickId(now), now, clickTtlSeconds },
    );
  } catch (caught) {
    if (!(caught instanceof UnsafeRedirectError)) throw caught;
    logger.error('offer URL refused', { campaignId, reason: caught.message });
    return error(500, `the lander or offer URL of campaign ${campaignId} is misconfigured`);
  }

  logger.appendKeys({ clickId: visit.click.clickId, campaignId });
  count('visits');
  if (visit.click.clickedThroughAt) count('clicks');
  try {
    await store.putClick(visit.click);
  } catch (writeError) {
    await bufferClick(visit, writeError as Error);
  }
  // To a lander always by 302: the referrer policy matters on the hop to the offer.
  const response = visit.click.landerId
    ? redirect(visit.location)
    : offerRedirect(bundle.campaign.redirectMode, visit.location, visit.click);
  return { ...response, cookies: [clickCookie(visit.click.clickId, clickTtlSeconds)] };
});

async function bufferClick(visit: Visit, writeError: Error): Promise<void> {
  try {
    if (!buffer) throw new Error('no click buffer queue configured');
    await buffer.send(visit.click);
    count('clickWritesBuffered');
    logger.warn('click write failed; buffered', { error: writeError });
  } catch (bufferError) {
    // Last resort: the whole click is in the log, to be replayed from there.
    count('clickWritesUnbuffered');
    logger.error('click write and buffer failed', { error: writeError, bufferError: bufferError as Error, click: visit.click });
  }
}
