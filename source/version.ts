// The one place the version is written is package.json; the bundle inlines it at build time (esbuild), the
// sources read it at run time.
import packageJson from '../package.json' with {type: 'json'};

/** codexpool's version, as package.json says. */
export const version: string = packageJson.version;
