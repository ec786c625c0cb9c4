import { newClickId } from '../lambda/domain/click-id';

/** The same click IDs in the target process (which writes the clicks) and the load generator. */
export function benchClickIds(count: number): string[] {
  const minted = new Date('2026-01-01T00:00:00Z');
  return Array.from({ length: count }, (_, i) => {
    const random = Buffer.alloc(12);
    random.writeUInt32BE(i, 8);
    return newClickId(minted, random);
  });
}
