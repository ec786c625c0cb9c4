import { randomBytes } from 'node:crypto';

/**
 * Click IDs are 26 lowercase Crockford base32 characters (130 bits): the top 34 bits are the
 * Unix time in seconds, so IDs sort by time, and the low 96 bits are random, so they cannot be
 * guessed. Lowercase and no look-alike letters, because networks echo them back in URLs and
 * some of them change the case.
 */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const LENGTH = 26;
const RANDOM_BITS = 96n;
const CLICK_ID_PATTERN = /^[0-9a-hjkmnp-tv-z]{26}$/;

export function newClickId(now: Date = new Date(), random: Buffer = randomBytes(12)): string {
  if (random.length !== 12) throw new Error('a click ID needs exactly 96 random bits');
  const seconds = BigInt(Math.floor(now.getTime() / 1000));
  let value = (seconds << RANDOM_BITS) | BigInt('0x' + random.toString('hex'));
  let id = '';
  for (let i = 0; i < LENGTH; i++) {
    id = ALPHABET[Number(value & 31n)] + id;
    value >>= 5n;
  }
  return id;
}

/** Returns the canonical (lowercase) click ID, or undefined when the text cannot be one of ours. */
export function normalizeClickId(text: string): string | undefined {
  const id = text.trim().toLowerCase();
  return CLICK_ID_PATTERN.test(id) ? id : undefined;
}


/** The Unix second a click ID was minted in: tells a click not written yet from one never issued. */
export function clickIdSeconds(id: string): number {
  let value = 0n;
  for (const char of id) value = (value << 5n) | BigInt(ALPHABET.indexOf(char));
  return Number(value >> RANDOM_BITS);
}
