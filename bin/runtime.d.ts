/** The V8 flags `codexpool serve` sets on itself at start. */
export const SERVE_V8_FLAGS: string;
/** Whether `<root>/dist/codexpool.js` exists and is at least as new as source/ and package.json. */
export function bundleIsFresh(root: string | URL): boolean;
