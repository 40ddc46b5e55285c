import fs from 'node:fs';
import path from 'node:path';
import type {Tokens} from '../store/types.ts';
import {readLoginClaims} from './jwt.ts';

/** One ChatGPT login read from a Codex `auth.json`. */
export type CodexLogin = {
	readonly file: string;
	readonly accountId: string;
	readonly email: string | undefined;
	readonly plan: string;
	readonly tokens: Tokens;
};

/** A file that is not a usable Codex login; the message names the file and what is wrong (never a token). */
export class AuthFileError extends Error {
	override name = 'AuthFileError';
	/** The file at fault and what is wrong with it, when the error is about one file. */
	readonly file: string | undefined;
	readonly problem: string | undefined;

	constructor(message: string, about?: {readonly file: string; readonly problem: string}) {
		super(message);
		this.file = about?.file;
		this.problem = about?.problem;
	}
}

/**
The auth files under `target`: the file itself, or in a folder its `auth.json` (a CODEX_HOME) and every
`*.auth.json` (as multi-account wrappers keep them).
*/
export function findAuthFiles(target: string): string[] {
	let stat: fs.Stats;
	try {
		stat = fs.statSync(target);
	} catch {
		throw new AuthFileError(
			`${target} does not exist: give the path of a Codex auth.json or of a folder holding one.`,
		);
	}

	if (!stat.isDirectory()) {
		return [target];
	}

	const names = fs
		.readdirSync(target)
		.filter((name) => name === 'auth.json' || name.endsWith('.auth.json'))
		.sort();
	if (names.length === 0) {
		throw new AuthFileError(
			`${target} holds no auth.json and no *.auth.json file: give a CODEX_HOME (such as ~/.codex) or the file itself.`,
		);
	}

	return names.map((name) => path.join(target, name));
}

/** Reads and validates one Codex auth.json. */
export function readAuthFile(file: string): CodexLogin {
	let text: string;
	try {
		text = fs.readFileSync(file, 'utf8');
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
		const problem = `cannot be read (${code}).`;
		throw new AuthFileError(`${file}: ${problem}`, {file, problem});
	}

	return parseAuthJson(text, file);
}

/** Validates the text of a Codex auth.json (`login/src/auth/storage.rs`); `file` names it in errors. */
export function parseAuthJson(text: string, file: string): CodexLogin {
	const fail = (problem: string) => new AuthFileError(`${file}: ${problem}`, {file, problem});
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		// JSON.parse's message would quote the file, tokens included: describe it instead.
		throw fail('is not valid JSON; it should be a Codex auth.json ({"tokens": {...}, "last_refresh": ...}).');
	}

	if (!isObject(value)) {
		throw fail('is not a JSON object; a Codex auth.json is {"tokens": {...}, "last_refresh": ...}.');
	}

	const tokens = value.tokens;
	if (tokens === undefined || tokens === null) {
		const hasKey = typeof value.OPENAI_API_KEY === 'string' || value.auth_mode === 'apikey';
		throw fail(
			hasKey
				? 'holds an API-key login, not a ChatGPT login. codexpool pools ChatGPT accounts: log in with `codexpool login`.'
				: 'has no "tokens" object, so it holds no ChatGPT login. Log in with `codex login` or `codexpool login`.',
		);
	}

	if (!isObject(tokens)) {
		throw fail('"tokens" is not an object.');
	}

	for (const field of ['id_token', 'access_token', 'refresh_token']) {
		if (typeof tokens[field] !== 'string' || tokens[field] === '') {
			throw fail(`tokens.${field} is missing or empty.`);
		}
	}

	const idToken = tokens.id_token as string;
	const claims = readLoginClaims(idToken);
	if (claims === undefined) {
		throw fail('tokens.id_token is not a JWT, so the account, email and plan cannot be read.');
	}

	if (
		tokens.account_id !== undefined &&
		tokens.account_id !== null &&
		typeof tokens.account_id !== 'string'
	) {
		throw fail('tokens.account_id is not a string.');
	}

	// Codex sends tokens.account_id as ChatGPT-Account-ID; older files lack it and the id token has it.
	const accountId = (tokens.account_id as string | undefined) || claims.accountId;
	if (accountId === undefined) {
		throw fail('has no tokens.account_id and its id token has no chatgpt_account_id claim.');
	}

	return {
		file,
		accountId,
		email: claims.email,
		plan: claims.plan ?? 'unknown',
		tokens: {
			idToken,
			accessToken: tokens.access_token as string,
			refreshToken: tokens.refresh_token as string,
			lastRefresh: parseTime(value.last_refresh),
		},
	};
}

function parseTime(value: unknown): number | undefined {
	if (typeof value !== 'string') {
		return undefined;
	}

	const ms = Date.parse(value);
	return Number.isFinite(ms) ? ms : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
