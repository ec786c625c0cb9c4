/**
 * Token substitution in offer and lander URLs, Voluum style: `{clickid}`, `{campaign.id}`,
 * `{var1}`, `{var:zone}`... Known tokens are replaced by their URL-encoded value (empty when the
 * visit has none); unknown tokens stay as they are, so a typo is visible in the landing URL
 * rather than silently dropped.
 */
export type TokenValues = Readonly<Record<string, string | undefined>>;

const TOKEN = /\{([A-Za-z0-9_.:-]{1,64})\}/g;

export function fillTokens(template: string, values: TokenValues): string {
  return template.replace(TOKEN, (token, rawName: string) => {
    const name = rawName.startsWith('var:') ? `var:${rawName.slice(4)}` : rawName.toLowerCase();
    if (!Object.prototype.hasOwnProperty.call(values, name)) return token;
    return encodeURIComponent(values[name] ?? '');
  });
}

