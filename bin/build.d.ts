/** Builds the bundle into `outdir` (default dist/) and resolves to its entry, `<outdir>/codexpool.js`. */
export function buildBundle(outdir?: string): Promise<string>;
/** esbuild's options for a build into `outdir`. */
export function buildOptions(outdir: string): Record<string, unknown>;
