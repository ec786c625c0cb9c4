import { RedirectMode } from './domain/config';
import { HttpResponse, metaRefresh, redirect } from './http';

/** Carries the click ID on the tracking domain from the visit to the lander's click-through and the pixel. */
export const CLICK_COOKIE = 'cs_cid';

/** SameSite=None: the conversion pixel is loaded from the advertiser's page, a third-party context. */
export function clickCookie(clickId: string, maxAgeSeconds: number): string {
  return `${CLICK_COOKIE}=${clickId}; Path=/; Max-Age=${maxAgeSeconds}; Secure; HttpOnly; SameSite=None`;
}

/**
 * The hop to an offer, in the campaign's redirect mode. A double meta refresh goes through
 * `/r/{clickId}` on the tracking domain, which refreshes on to the offer: the hop carries the
 * campaign and the offer URL, so it needs no read of a click that may still be buffered.
 */
export function offerRedirect(mode: RedirectMode | undefined, location: string, hop: { clickId: string; campaignId: string }): HttpResponse {
  switch (mode) {
    case 'meta-refresh':
      return metaRefresh(location);
    case 'double-meta-refresh':
      return metaRefresh(`/r/${hop.clickId}?${new URLSearchParams({ c: hop.campaignId, to: location })}`);
    default:
      return redirect(location);
  }
}
