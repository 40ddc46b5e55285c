/** Whether `<root>/dist/codexpool.js` exists and is at least as new as source/ and package.json. */
export function bundleIsFresh(root: string | URL): boolean;
