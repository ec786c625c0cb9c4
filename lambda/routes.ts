/**
 * The HTTP surface, defined once: the stack creates one function per entry of FUNCTIONS and one
 * API Gateway route per entry of ROUTES; the local gateway serves the same routes with the same
 * handler modules.
 */
export const FUNCTIONS = {
  click: { entry: 'handlers/click.ts', description: 'Click redirect: records the visit, 302 to the offer' },
  postback: { entry: 'handlers/postback.ts', description: 'S2S postback and conversion pixel' },
} as const;

export type FunctionName = keyof typeof FUNCTIONS;

export interface Route {
  readonly method: 'GET' | 'POST';
  /** API Gateway path syntax: `{name}` is one path segment. */
  readonly path: string;
  readonly function: FunctionName;
}

export const ROUTES: readonly Route[] = [
  { method: 'GET', path: '/c/{campaignId}', function: 'click' },
  { method: 'GET', path: '/postback', function: 'postback' },
  { method: 'POST', path: '/postback', function: 'postback' },
  { method: 'GET', path: '/conversion.gif', function: 'postback' },
];
