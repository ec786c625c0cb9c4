import { Conversion } from './postback';
import { fillTokens } from './tokens';

/** One call of a traffic source's postback URL, for one new conversion. */
export interface SourcePostbackJob {
  readonly clickId: string;
  readonly conversionKey: string;
  readonly url: string;
  /** 1 for the first try. */
  readonly attempt: number;
}

export const SOURCE_POSTBACK_ATTEMPTS = 6;

/** The source's template with the conversion's values, URL-encoded. */
export function sourcePostbackJob(template: string, conversion: Conversion): SourcePostbackJob {
  return {
    clickId: conversion.clickId,
    conversionKey: conversion.conversionKey,
    url: fillTokens(template, {
      externalid: conversion.externalId,
      payout: String(conversion.payout),
      txid: conversion.txid,
      et: conversion.eventType,
      clickid: conversion.clickId,
      currency: conversion.currency,
    }),
    attempt: 1,
  };
}

/** Seconds before try `attempt + 1`: 30 s, 1, 2, 4, 8 minutes — about a quarter of an hour in all. */
export function sourcePostbackDelaySeconds(attempt: number): number {
  return Math.min(900, 30 * 2 ** (attempt - 1));
}
