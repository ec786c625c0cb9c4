import { normalizeClickId } from '../domain/click-id';
import { chooseOffer } from '../domain/routing';
import { ID_PATTERN } from '../domain/config';
import { UnsafeRedirectError, isOfferLocation, landingUrl } from '../domain/visit';
import { count, httpHandler, logger } from '../handler';
import { HttpResponse, cookieValue, error, metaRefresh, queryOf } from '../http';
import { viaCloudFront } from '../origin';
import { CLICK_COOKIE, offerRedirect } from '../redirects';
import { configCache, trackerStore } from '../wiring';

const store = trackerStore();
const campaigns = configCache((id) => store.getCampaignBundle(id));

/**
 * `GET /click` and `/click/{n}`: the lander's links. Finds the visit by `?cid=` or the click
 * cookie, records the click-through and sends the visitor to the chosen offer.
 * `GET /r/{clickId}?c=&to=`: the second hop of a double meta refresh, on to the offer.
 */
export const handler = httpHandler(async (event): Promise<HttpResponse> => {
  if (!viaCloudFront(event)) return error(403, 'visitors must come through the tracking domain');
  if (event.rawPath.startsWith('/r/')) return onToOffer(queryOf(event));
  const given = queryOf(event).cid ?? cookieValue(event, CLICK_COOKIE);
  const clickId = given ? normalizeClickId(given) : undefined;
  if (!clickId) return error(404, 'no click to continue: the link needs ?cid= or the click cookie');
  const offerNumber = event.pathParameters?.offerNumber;
  if (offerNumber !== undefined && !/^([1-9]|10)$/.test(offerNumber)) return error(404, 'offer number must be 1-10');

  const click = await store.getClick(clickId);
  if (!click) return error(404, 'unknown click');
  const bundle = await campaigns.get(click.campaignId);
  if (!bundle) return error(404, 'the campaign of this click no longer exists');

  const offerId = chooseOffer(click, bundle.campaign, offerNumber ? Number(offerNumber) : undefined);
  const offer = offerId ? bundle.offers[offerId] : undefined;
  if (!offer) return error(404, 'this click has no offer to go to');
  let location: string;
  try {
    location = landingUrl(offer.url, { ...click, offerId: offer.id }, bundle);
  } catch (caught) {
    if (!(caught instanceof UnsafeRedirectError)) throw caught;
    logger.error('offer URL refused', { offerId: offer.id, reason: caught.message });
    return error(500, `the URL of offer ${offer.id} is misconfigured`);
  }
  if (click.landerId) {
    await store.recordClickThrough(clickId, offer.id, new Date());
    count('clicks');
  }
  return offerRedirect(bundle.campaign.redirectMode, location, click);
});

/** Reads no click: the visit's write may still be in the buffer queue, and the visitor must not wait for it. */
async function onToOffer({ c: campaignId, to }: Record<string, string | undefined>): Promise<HttpResponse> {
  const bundle = campaignId && ID_PATTERN.test(campaignId) ? await campaigns.get(campaignId) : undefined;
  if (!bundle || !to || !isOfferLocation(bundle, to)) return error(404, 'no offer of this campaign to go on to');
  return metaRefresh(to);
}
