#!/usr/bin/env node
// The `passage` command. Runs the bundled server (dist/server/cli.mjs, made by `npm run build` or
// `npm start`) when it is up to date with the sources, and otherwise the TypeScript sources through tsx.
import { BUNDLE, bundleIsFresh } from './bundle-freshness.mjs';

if (process.env.PASSAGE_FROM_SOURCE !== '1' && bundleIsFresh()) {
  await import(BUNDLE);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli.ts');
}
