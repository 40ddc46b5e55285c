#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), so a clone works with `npm ci` and no build step.
import {register} from 'tsx/esm/api';

register();
await import('../source/cli.tsx');
