#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), so a clone works with `npm ci` and no build step.
import process from 'node:process';
import {register} from 'tsx/esm/api';

// React's development build costs about four times as much per frame (bench/results/tui.md).
process.env.NODE_ENV ??= 'production';
register();
await import('../source/cli.tsx');
