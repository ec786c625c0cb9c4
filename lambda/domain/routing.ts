import { createHash } from 'node:crypto';
import { Campaign, Path, Rule, Weighted } from './config';

/** What rules can look at. */
export interface VisitorTraits {
  readonly country?: string;
  readonly device?: string;
  readonly os?: string;
  readonly browser?: string;
  /** var1…var10 by position or by the traffic source's name for it. */
  variable(name: string): string | undefined;
}

export interface SelectedPath {
  /** 0 for the default path, i + 1 for rule path i: stored on the click for the click-through. */
  readonly index: number;
  readonly path: Path;
}

function matches(rule: Rule, visitor: VisitorTraits): boolean {
  const actual = rule.field === 'var' ? visitor.variable(rule.variable ?? '') : visitor[rule.field];
  if (actual === undefined) return false;
  const value = actual.toLowerCase();
  return rule.values.some((candidate) => candidate.toLowerCase() === value);
}

/** First rule path whose rules all match (values OR'd within a rule), else the default path. */
export function selectPath(campaign: Campaign, visitor: VisitorTraits): SelectedPath {
  const rulePaths = campaign.rulePaths ?? [];
  const found = rulePaths.findIndex((rulePath) => rulePath.rules.every((rule) => matches(rule, visitor)));
  return found === -1 ? { index: 0, path: campaign.defaultPath } : { index: found + 1, path: rulePaths[found].path };
}

/** The path a click was routed to; the default one if the campaign has changed since. */
export function pathAt(campaign: Campaign, index: number | undefined): Path {
  return (index ? campaign.rulePaths?.[index - 1]?.path : undefined) ?? campaign.defaultPath;
}

/**
 * Picks an item with probability weight / total, deterministically from a seed (the click ID):
 * the same visit always gets the same lander and offer, and the split over many visits follows
 * the weights.
 */
export function pickWeighted<T extends Weighted>(items: readonly T[], seed: string): T {
  const total = items.reduce((sum, item) => sum + (item.weight ?? 100), 0);
  const fraction = createHash('sha256').update(seed).digest().readUIntBE(0, 6) / 2 ** 48;
  let remaining = fraction * total;
  for (const item of items) {
    remaining -= item.weight ?? 100;
    if (remaining < 0) return item;
  }
  return items.filter((item) => (item.weight ?? 100) > 0).at(-1) ?? items[items.length - 1];
}

/**
 * The offer a click goes on to: a direct-link click's own; from a lander, offer `offerNumber`
 * of the click's path (`/click/2`), or a weighted pick (`/click`).
 */
export function chooseOffer(
  click: { readonly clickId: string; readonly landerId?: string; readonly offerId?: string; readonly pathIndex?: number },
  campaign: Campaign,
  offerNumber?: number,
): string {
  if (!click.landerId && click.offerId) return click.offerId;
  const offers = pathAt(campaign, click.pathIndex).offers;
  const numbered = offerNumber === undefined ? undefined : offers[offerNumber - 1];
  return (numbered ?? pickWeighted(offers, `${click.clickId}:offer`)).id;
}
