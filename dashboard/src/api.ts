import type { ReportQuery, ReportRow } from '../../lambda/domain/reports';
import type { Conversion } from '../../lambda/domain/postback';
import type { Page } from '../../lambda/store/tracker-store';
import type { Click } from '../../lambda/domain/visit';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }

  /** The token is missing, wrong or rotated: the user must sign in again. */
  get isAuthentication(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

/** The management API collections whose items have names. */
export type NamedCollection = 'campaigns' | 'offers' | 'landers' | 'traffic-sources';

/** A campaign, offer, lander or traffic source: only what the page shows of it. */
export interface Named {
  readonly id: string;
  readonly name?: string;
}

export interface CampaignUrls {
  readonly campaignUrl: string;
  readonly landerClickUrls: readonly string[];
  readonly postbackUrls: readonly { readonly networkId: string | null; readonly name: string; readonly url: string }[];
}

export interface PostbackError {
  readonly at: string;
  readonly reason: string;
  readonly message: string;
  readonly clickId?: string;
  readonly ip?: string;
  readonly request: string;
}

export type ReportParams = Pick<ReportQuery, 'from' | 'to' | 'tz' | 'conversionTime'>;

/** The management API on the page's own origin, with the bearer token. */
export class ManagementApi {
  constructor(private readonly token: string) {}

  list(collection: NamedCollection): Promise<{ items: Named[] }> {
    return this.get(collection);
  }

  report(params: ReportParams, groupBy: readonly string[]): Promise<{ rows: ReportRow[] }> {
    return this.get('reports', { ...params, groupBy: groupBy.join(',') });
  }

  campaignUrls(campaignId: string): Promise<CampaignUrls> {
    return this.get(`campaigns/${encodeURIComponent(campaignId)}/urls`);
  }

  latestVisits(campaignId: string, cursor?: string): Promise<Page<Click>> {
    return this.get(`campaigns/${encodeURIComponent(campaignId)}/visits`, { limit: '25', ...(cursor ? { cursor } : {}) });
  }

  latestConversions(campaignId: string, cursor?: string): Promise<Page<Conversion>> {
    return this.get(`campaigns/${encodeURIComponent(campaignId)}/conversions`, { limit: '25', ...(cursor ? { cursor } : {}) });
  }

  postbackErrors(day: string, cursor?: string): Promise<Page<PostbackError>> {

    return this.get('postback-errors', { day, limit: '50', ...(cursor ? { cursor } : {}) });
  }

  /** The report as the API's CSV, for a spreadsheet. */
  async reportCsv(params: ReportParams, groupBy: readonly string[]): Promise<Blob> {
    return (await this.fetch('reports', { ...params, groupBy: groupBy.join(','), format: 'csv' })).blob();
  }

  private async get<T>(path: string, params: Record<string, string> = {}): Promise<T> {
    return (await (await this.fetch(path, params)).json()) as T;
  }

  private async fetch(path: string, params: Record<string, string>): Promise<Response> {
    const query = new URLSearchParams(params).toString();
    const response = await fetch(`/api/${path}${query ? `?${query}` : ''}`, {
      headers: { authorization: `Bearer ${this.token}` },
      cache: 'no-store',
    });
    if (!response.ok) {
      const body = (await response.json().catch(() => ({}))) as { error?: string };
      throw new ApiError(response.status, body.error ?? `${response.status} ${response.statusText}`);
    }
    return response;
  }
}
