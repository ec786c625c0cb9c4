#!/usr/bin/env node
// `npx clickstack …`: runs the TypeScript CLI through tsx, as `npm start` runs the local tracker.
require('tsx/cjs');
require('./cli.ts');
