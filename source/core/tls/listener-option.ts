import {ensureLocalCertificates, TlsUnavailableError} from './local-ca.ts';

/** What `startEmbeddedCore({tls})` takes. */
export type TlsOption = {readonly key: string; readonly cert: string; readonly port: number};

/** The default HTTPS port, next to the proxy's 4455. */
export const DEFAULT_TLS_PORT = 4456;

/**
The HTTPS port that goes with an HTTP port when none is named: the next one (4455 gives the default 4456), so
`serve --port P` of a second home does not collide with the first one's HTTPS port; 0 (any free port) gives 0.
`codex-config --port P` derives it the same way.
*/
export function tlsPortFor(port: number): number {
	if (port === 0) {
		return 0;
	}

	return port < 65_535 ? port + 1 : port - 1;
}

/**
The HTTPS listener option for `serve` and the control center: the home's certificates (made on first use), or
undefined when turned off (`--no-tls`) or when openssl is missing, in which case `warn` hears why and what
still works.
*/
export function localTlsOption(
	home: string,
	port: number,
	enabled: boolean,
	warn: (message: string) => void,
): TlsOption | undefined {
	if (!enabled) {
		return undefined;
	}

	try {
		const {key, cert} = ensureLocalCertificates(home);
		return {key, cert, port};
	} catch (error) {
		if (!(error instanceof TlsUnavailableError)) {
			throw error;
		}

		warn(
			`${error.message}\nServing without HTTPS: Codex works through the pool only with \`codexpool codex-config --provider custom\`.`,
		);
		return undefined;
	}
}
