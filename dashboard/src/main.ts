import type { Dimension, ReportRow } from '../../lambda/domain/reports';
import type { Conversion } from '../../lambda/domain/postback';
import type { Page } from '../../lambda/store/tracker-store';
import type { Click } from '../../lambda/domain/visit';
import { ApiError, ManagementApi, Named, PostbackError, ReportParams } from './api';
import { VisitsChart } from './chart';
import { addDays, localDayHour } from '../../lambda/domain/time-zones';
import { GROUPINGS, METRICS, MetricColumn, chartBuckets, formatMetric, timeZoneChoices } from './format';
import './styles.css';

const TOKEN_KEY = 'clickstack.token';
/** The report a media buyer opens first: the last 7 days. */
const DEFAULT_DAYS = 7;

function element<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no #${id}`);
  return found as T;
}

/** Builds an element; text only ever goes in as text, since API data includes what callers sent. */
function h(tag: string, attributes: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElement {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

function metricCell(tag: 'td' | 'strong', row: ReportRow | undefined, metric: MetricColumn): HTMLElement {
  const value = row ? (row[metric.name] as number | null) : metric.format === 'count' || metric.format === 'money' ? 0 : null;
  return h(tag, { class: 'number', 'data-metric': metric.name, 'data-value': JSON.stringify(value) }, formatMetric(value, metric.format));
}

function conversionTypes(row: ReportRow | undefined): string {
  return Object.entries(row?.conversionsByType ?? {})
    .map(([type, count]) => `${type} ${count}`)
    .join(' · ');
}

/** Reads the sign-in token from `#token=` (what `npm start` prints) and takes it out of the address bar. */
function tokenFromAddress(): string | undefined {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (token) history.replaceState(null, '', location.pathname + location.search);
  return token ?? undefined;
}

/** A newest-first raw view: a table filled a page at a time, "Load more" shown while the API has a cursor. */
class PagedTable<T> {
  private cursor?: string;

  constructor(
    private readonly tableId: string,
    private readonly moreId: string,
    private readonly empty: string,
    private readonly fetchPage: (cursor?: string) => Promise<Page<T>>,
    private readonly cells: (item: T) => HTMLElement[],
  ) {}

  async load(more: boolean): Promise<void> {
    const body = element(this.tableId).querySelector('tbody')!;
    const page = await this.fetchPage(more ? this.cursor : undefined);
    const rows = page.items.map((item) => h('tr', {}, ...this.cells(item)));
    if (more) body.append(...rows);
    else body.replaceChildren(...(rows.length > 0 ? rows : [h('tr', {}, h('td', { colspan: '99' }, this.empty))]));
    this.cursor = page.cursor;
    element(this.moreId).hidden = !page.cursor;
  }
}

const utcTime = (iso: string) => iso.replace('T', ' ').replace('Z', '');

class Dashboard {
  private api?: ManagementApi;
  private readonly chart = new VisitsChart(element('chart'));
  private campaigns: Named[] = [];
  private readonly errors = new PagedTable<PostbackError>(
    'postback-errors',
    'more-errors',
    'No postback errors that day.',
    (cursor) => this.management.postbackErrors(this.input('error-day').value, cursor),
    (e) => [h('td', {}, utcTime(e.at)), h('td', {}, e.reason), h('td', {}, e.message), h('td', { class: 'mono' }, e.clickId ?? ''), h('td', {}, e.ip ?? ''), h('td', { class: 'mono wrap' }, e.request)],
  );
  private readonly visits = new PagedTable<Click>(
    'visits',
    'more-visits',
    'No visits yet.',
    (cursor) => this.management.latestVisits(this.input('link-campaign').value, cursor),
    (v) => [
      h('td', {}, utcTime(v.clickedAt)),
      h('td', { class: 'mono' }, v.clickId),
      h('td', {}, v.country ?? ''),
      h('td', {}, [v.device, v.os, v.browser].filter(Boolean).join(' · ')),
      h('td', {}, v.ip),
      h('td', { class: 'mono' }, v.externalId ?? ''),
      h('td', {}, v.landerId ?? ''),
      h('td', {}, v.offerId ?? ''),
      h('td', { class: 'number' }, v.cost === undefined ? '' : formatMetric(v.cost, 'money')),
    ],
  );
  private readonly conversions = new PagedTable<Conversion>(
    'conversions',
    'more-conversions',
    'No conversions yet.',
    (cursor) => this.management.latestConversions(this.input('link-campaign').value, cursor),
    (c) => [
      h('td', {}, utcTime(c.convertedAt)),
      h('td', {}, c.eventName),
      h('td', {}, c.status ?? ''),
      h('td', { class: 'number', 'data-value': JSON.stringify(c.payout) }, formatMetric(c.payout, 'money')),
      h('td', { class: 'mono' }, c.txid ?? ''),
      h('td', { class: 'mono' }, c.clickId),
      h('td', { class: 'mono' }, c.externalId ?? ''),
      h('td', {}, c.country ?? ''),
      h('td', {}, c.sourcePostback ? `${c.sourcePostback.status}${c.sourcePostback.httpStatus ? ` (${c.sourcePostback.httpStatus})` : ''}` : ''),
    ],
  );
  /** Which load is the latest: an earlier one that answers late must not overwrite it. */
  private loads = 0;
  /** The report the table shows, for its CSV. */
  private shown?: { readonly params: ReportParams; readonly groupBy: Dimension };

  constructor(private readonly onSignedOut: (message: string) => void) {
    const params = new URLSearchParams(location.search);
    const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const tz = params.get('tz') ?? browserZone;
    const zones = timeZoneChoices(browserZone, Intl.supportedValuesOf('timeZone'));
    element('tz').replaceChildren(...(zones.includes(tz) ? zones : [tz, ...zones]).map((zone) => h('option', { value: zone }, zone)));
    this.input('tz').value = tz;
    this.input('to').value = params.get('to') ?? localDayHour(new Date(), tz).day;
    this.input('from').value = params.get('from') ?? addDays(this.input('to').value, 1 - DEFAULT_DAYS);
    this.input('conversion-time').value = params.get('conversionTime') === 'postback' ? 'postback' : 'click';
    element('group-by').replaceChildren(...Object.entries(GROUPINGS).map(([dimension, { label }]) => h('option', { value: dimension }, label)));
    const groupBy = params.get('groupBy') ?? '';
    this.input('group-by').value = groupBy in GROUPINGS ? groupBy : 'campaign';
    this.input('error-day').value = new Date().toISOString().slice(0, 10);

    element('range').addEventListener('submit', (event) => {
      event.preventDefault();
      void this.load();
    });
    this.input('error-day').addEventListener('change', () => void this.guard(() => this.errors.load(false)));
    element('more-errors').addEventListener('click', () => void this.guard(() => this.errors.load(true)));
    element('export-csv').addEventListener('click', () => void this.guard(() => this.exportCsv()));
    element('more-visits').addEventListener('click', () => void this.guard(() => this.visits.load(true)));
    element('more-conversions').addEventListener('click', () => void this.guard(() => this.conversions.load(true)));
    this.input('link-campaign').addEventListener('change', () => void this.guard(() => this.showCampaign()));
  }

  signIn(token: string): Promise<void> {
    this.api = new ManagementApi(token);
    return this.load();
  }

  private get management(): ManagementApi {
    if (!this.api) throw new ApiError(401, 'sign in first');
    return this.api;
  }

  private input(id: string): HTMLInputElement {
    return element<HTMLInputElement>(id);
  }

  private params(): ReportParams {
    return {
      from: this.input('from').value,
      to: this.input('to').value,
      tz: this.input('tz').value,
      conversionTime: this.input('conversion-time').value === 'postback' ? 'postback' : 'click',
    };
  }

  /** Everything on the page, for the chosen range: the state says when the figures are in. */
  async load(): Promise<void> {
    const params = this.params();
    if (params.to < params.from) {
      this.status('error', '"To" is before "From".');
      return;
    }
    const groupBy = this.input('group-by').value as Dimension;
    const { collection } = GROUPINGS[groupBy];
    history.replaceState(null, '', `?${new URLSearchParams({ ...params, groupBy })}`);
    const load = ++this.loads;
    await this.guard(async () => {
      const { buckets, dimension } = chartBuckets(params.from, params.to);
      const [campaigns, named, grouped, total, series] = await Promise.all([
        this.management.list('campaigns'),
        collection && collection !== 'campaigns' ? this.management.list(collection) : undefined,
        this.management.report(params, [groupBy]),
        this.management.report(params, []),
        this.management.report(params, [dimension]),
      ]);
      if (load !== this.loads) return;
      this.shown = { params, groupBy };
      this.campaigns = campaigns.items;
      this.showTotals(total.rows[0]);
      this.showReport(groupBy, grouped.rows, total.rows[0], collection ? (named ?? campaigns).items : []);
      const byBucket = new Map(series.rows.map((row) => [String(row[dimension]), row]));
      const points = buckets.map((bucket) => ({ bucket, visits: byBucket.get(bucket)?.visits ?? 0, conversions: byBucket.get(bucket)?.conversions ?? 0 }));
      this.chart.show(points, dimension);
      element('series').querySelector('tbody')!.replaceChildren(
        ...points.map((p) => h('tr', {}, h('td', {}, p.bucket.replace('T', ' ') + (dimension === 'hour' ? ':00' : '')), h('td', { class: 'number' }, String(p.visits)), h('td', { class: 'number' }, String(p.conversions)))),
      );
      this.showCampaignChoices();
      await Promise.all([this.showCampaign(), this.errors.load(false)]);
    }, () => load === this.loads);
  }

  private showTotals(total: ReportRow | undefined): void {
    element('totals').replaceChildren(
      ...METRICS.filter((metric) => ['visits', 'clicks', 'conversions', 'revenue', 'cost', 'profit', 'roi', 'cr', 'epc'].includes(metric.name)).map((metric) =>
        h('div', { class: 'tile', title: metric.title }, h('span', {}, metric.label), metricCell('strong', total, metric)),
      ),
    );
  }

  /**
   * The report table, one row per value of `groupBy`. Known campaigns, offers, landers and
   * traffic sources without traffic in the range are listed too, with zeros: "no visits" is a finding.
   */
  private showReport(groupBy: Dimension, rows: readonly ReportRow[], total: ReportRow | undefined, known: readonly Named[]): void {
    const table = element<HTMLTableElement>('report');
    const names = new Map(known.map((entity) => [entity.id, entity.name ?? entity.id]));
    const header = [h('th', { scope: 'col' }, GROUPINGS[groupBy].label), ...METRICS.map((m) => h('th', { scope: 'col', class: 'number', title: m.title }, m.label)), h('th', { scope: 'col' }, 'By type')];
    table.tHead!.replaceChildren(h('tr', {}, ...header));
    const byKey = new Map(rows.map((row) => [String(row[groupBy]), row]));
    const keys = [...byKey.keys(), ...known.map((entity) => entity.id).filter((id) => !byKey.has(id))];
    table.tBodies[0].replaceChildren(
      ...keys.map((key) => {
        const row = byKey.get(key);
        const label = key === '' ? (GROUPINGS[groupBy].collection ? '(none)' : '(unknown)') : groupBy === 'hour' ? `${key.replace('T', ' ')}:00` : (names.get(key) ?? key);
        return h('tr', { 'data-key': key }, h('th', { scope: 'row' }, groupBy === 'campaign' ? this.linksButton(key, label) : label), ...METRICS.map((m) => metricCell('td', row, m)), h('td', {}, conversionTypes(row)));
      }),
    );
    table.tFoot!.replaceChildren(h('tr', {}, h('th', { scope: 'row' }, 'Total'), ...METRICS.map((m) => metricCell('td', total, m)), h('td', {}, conversionTypes(total))));
  }

  /** A campaign's name that shows its tracking links. */
  private linksButton(campaignId: string, label: string): HTMLElement {
    const button = h('button', { type: 'button', class: 'link', title: 'Show its tracking links' }, label);
    button.addEventListener('click', () => {
      this.input('link-campaign').value = campaignId;
      void this.guard(() => this.showCampaign());
      element('link-campaign').scrollIntoView({ behavior: 'smooth' });
    });
    return button;
  }

  private showCampaignChoices(): void {
    const select = this.input('link-campaign');
    const chosen = select.value;
    select.replaceChildren(...this.campaigns.map((c) => h('option', { value: c.id }, c.name ? `${c.name} (${c.id})` : c.id)));
    if (this.campaigns.some((c) => c.id === chosen)) select.value = chosen;
  }

  /** Downloads the report the table shows as the API's CSV. */
  private async exportCsv(): Promise<void> {
    if (!this.shown) return;
    const { params, groupBy } = this.shown;
    const url = URL.createObjectURL(await this.management.reportCsv(params, [groupBy]));
    h('a', { href: url, download: `clickstack-${groupBy}-${params.from}-${params.to}.csv` }).click();
    // Revoked later: the download reads the blob after the click returns.
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }

  /** The chosen campaign's tracking links, latest conversions and latest visits. */
  private async showCampaign(): Promise<void> {
    const campaignId = this.input('link-campaign').value;
    if (!campaignId) {
      element('links').replaceChildren(h('dd', {}, 'No campaigns yet: create one with the API or `npx clickstack apply`.'));
      for (const table of ['conversions', 'visits']) element(table).querySelector('tbody')!.replaceChildren();
      return;
    }
    await Promise.all([this.showLinks(campaignId), this.conversions.load(false), this.visits.load(false)]);
  }

  private async showLinks(campaignId: string): Promise<void> {
    const urls = await this.management.campaignUrls(campaignId);
    const entries: [string, string, string][] = [
      ['Campaign URL', 'campaign', urls.campaignUrl],
      ...urls.landerClickUrls.map((url, i): [string, string, string] => [i === 0 ? 'Lander click URL' : `Lander click URL, offer ${i}`, `lander-${i}`, url]),
      ...urls.postbackUrls.map((p): [string, string, string] => [`Postback URL (${p.name})`, `postback-${p.networkId ?? 'any'}`, p.url]),
    ];
    element('links').replaceChildren(
      ...entries.flatMap(([label, key, url]) => {
        const field = h('input', { type: 'text', readonly: '', value: url, 'data-link': key, 'aria-label': label }) as HTMLInputElement;
        const copy = h('button', { type: 'button' }, 'Copy');
        copy.addEventListener('click', () => {
          field.select();
          navigator.clipboard.writeText(url).then(
            () => (copy.textContent = 'Copied'),
            () => (copy.textContent = 'Press Ctrl+C'),
          );
        });
        return [h('dt', {}, label), h('dd', {}, field, copy)];
      }),
    );
  }

  /**
   * Runs one step of loading; a rejected token signs out, any other failure is shown, not thrown.
   * A step that is no longer `current` leaves the status to the one that replaced it.
   */
  private async guard(step: () => Promise<void>, current: () => boolean = () => true): Promise<void> {
    this.status('loading', 'Loading…');
    try {
      await step();
      if (current()) this.status('ready', `Updated ${new Date().toLocaleTimeString()}`);
    } catch (caught) {
      if (caught instanceof ApiError && caught.isAuthentication) this.onSignedOut(caught.message);
      else if (current()) this.status('error', caught instanceof Error ? caught.message : String(caught));
    }
  }

  private status(state: 'loading' | 'ready' | 'error', text: string): void {
    element('app').dataset.state = state;
    element('status').textContent = text;
    element('status').className = state === 'error' ? 'error' : '';
  }
}

function signOut(message = ''): void {
  sessionStorage.removeItem(TOKEN_KEY);
  element('app').hidden = true;
  element('sign-out').hidden = true;
  element('sign-in').hidden = false;
  element('sign-in-error').textContent = message;
}

const dashboard = new Dashboard(signOut);

function open(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
  element('sign-in').hidden = true;
  element('sign-out').hidden = false;
  element('app').hidden = false;
  void dashboard.signIn(token);
}

element('sign-in').addEventListener('submit', (event) => {
  event.preventDefault();
  open(element<HTMLInputElement>('token').value.trim());
});
element('sign-out').addEventListener('click', () => signOut());

const token = tokenFromAddress() ?? sessionStorage.getItem(TOKEN_KEY);
if (token) open(token);
else signOut();
