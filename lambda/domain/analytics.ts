/**
 * Flat rows for the analytics lake: one JSON object per line, the columns of the Glue tables.
 * Nested values (var1…var10, the source postback outcome) are flattened into columns.
 */
export type AnalyticsRow = Record<string, string | number | null>;

export const CLICK_COLUMNS = {
  clickId: 'string',
  campaignId: 'string',
  pathIndex: 'int',
  landerId: 'string',
  offerId: 'string',
  trafficSourceId: 'string',
  clickedAt: 'string',
  clickedThroughAt: 'string',
  ip: 'string',
  userAgent: 'string',
  referrer: 'string',
  country: 'string',
  device: 'string',
  os: 'string',
  browser: 'string',
  trackingDomain: 'string',
  externalId: 'string',
  cost: 'double',
  ...Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`var${i + 1}`, 'string'])),
} as const satisfies Record<string, string>;

export const CONVERSION_COLUMNS = {
  clickId: 'string',
  conversionKey: 'string',
  eventType: 'string',
  eventName: 'string',
  status: 'string',
  txid: 'string',
  payout: 'double',
  currency: 'string',
  campaignId: 'string',
  offerId: 'string',
  networkId: 'string',
  trafficSourceId: 'string',
  externalId: 'string',
  clickedAt: 'string',
  convertedAt: 'string',
  updatedAt: 'string',
  version: 'int',
  country: 'string',
  device: 'string',
  sourcePostbackStatus: 'string',
} as const satisfies Record<string, string>;

function row(columns: Record<string, string>, values: Record<string, unknown>): AnalyticsRow {
  return Object.fromEntries(
    Object.entries(columns).map(([column, type]) => {
      const value = values[column];
      if (value === undefined || value === null) return [column, null];
      return [column, type === 'string' ? String(value) : Number(value)];
    }),
  );
}

export function clickRow(item: Record<string, unknown>): AnalyticsRow {
  return row(CLICK_COLUMNS, { ...item, ...(item.vars as Record<string, string> | undefined) });
}

export function conversionRow(item: Record<string, unknown>): AnalyticsRow {
  return row(CONVERSION_COLUMNS, { ...item, sourcePostbackStatus: (item.sourcePostback as { status?: string } | undefined)?.status });
}
