import {setTimeout as sleep} from 'node:timers/promises';
import {
	codexClientId,
	describeIssuerError,
	exchangeCode,
	type LoginTokens,
	postToIssuer,
} from './oauth-client.ts';

export type DeviceLoginOptions = {
	readonly issuer: string;
	/** Shows the page to open and the code to type there. */
	readonly onCode: (verificationUrl: string, userCode: string) => void;
	/** Default 15 minutes, as long as the code is valid. */
	readonly timeoutMs?: number;
};

/**
The device-code login (`codex login --device-auth`, upstream-protocol.md §2): get a user code, let the user
type it at `{issuer}/codex/device`, poll until the issuer hands over an authorization code, exchange it.
*/
export async function deviceLogin(options: DeviceLoginOptions): Promise<LoginTokens> {
	const {issuer} = options;
	const start = await postToIssuer(issuer, '/api/accounts/deviceauth/usercode', {client_id: codexClientId});
	if (start.status === 404) {
		throw new Error(
			`${issuer} does not offer device login. Use \`codexpool login\` (the browser login) instead.`,
		);
	}

	const deviceAuthId = start.json?.device_auth_id;
	const userCode = start.json?.user_code ?? start.json?.usercode;
	if (start.status !== 200 || typeof deviceAuthId !== 'string' || typeof userCode !== 'string') {
		throw new Error(
			`Could not start a device login (HTTP ${start.status}${describeIssuerError(start.json)}). Try again later.`,
		);
	}

	const intervalMs = Math.max(0, Number(start.json?.interval ?? 5) || 0) * 1000;
	options.onCode(`${issuer}/codex/device`, userCode);
	const deadline = Date.now() + (options.timeoutMs ?? 15 * 60_000);
	while (Date.now() < deadline) {
		const poll = await postToIssuer(issuer, '/api/accounts/deviceauth/token', {
			device_auth_id: deviceAuthId,
			user_code: userCode,
		}).catch(() => undefined);
		const code = poll?.json?.authorization_code;
		const verifier = poll?.json?.code_verifier;
		if (poll?.status === 200 && typeof code === 'string' && typeof verifier === 'string') {
			return exchangeCode(issuer, {
				code,
				redirectUri: `${issuer}/deviceauth/callback`,
				codeVerifier: verifier,
			});
		}

		// 403/404 mean "not yet"; a 5xx or a network error is worth another poll.
		if (poll !== undefined && poll.status !== 403 && poll.status !== 404 && poll.status < 500) {
			throw new Error(
				`The device login failed (HTTP ${poll.status}${describeIssuerError(poll.json)}). Try again.`,
			);
		}

		await sleep(Math.min(intervalMs || 250, Math.max(0, deadline - Date.now())));
	}

	throw new Error(
		'The device code expired before the login was completed. Run `codexpool login --device` again.',
	);
}
