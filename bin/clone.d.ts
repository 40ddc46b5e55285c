/** Whether `<root>/dist/codexpool.js` exists and is at least as new as source/ and package.json. */
export function bundleIsFresh(root: string | URL): boolean;
/** Runs a clone's bundle when fresh, else its sources through tsx. */
export function runClone(root: URL): Promise<void>;
