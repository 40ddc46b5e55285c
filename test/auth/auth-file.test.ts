import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {AuthFileError, findAuthFiles, parseAuthJson} from '../../source/core/auth/auth-file.ts';
import {jwtExpiry, readLoginClaims} from '../../source/core/auth/jwt.ts';
import {makeAccessToken, makeIdToken, makeJwt, tempDir} from '../store/fixtures.ts';
import {authJson} from './fixtures.ts';

describe('id token claims', () => {
	it('reads email, account, plan and user as Codex does', () => {
		assert.deepEqual(readLoginClaims(makeIdToken({accountId: 'acc', email: 'a@x.io', plan: 'pro'})), {
			accountId: 'acc',
			email: 'a@x.io',
			plan: 'pro',
			userId: 'user-acc',
		});
		const profileEmail = makeJwt({
			'https://api.openai.com/profile': {email: 'p@x.io'},
			'https://api.openai.com/auth': {chatgpt_plan_type: 'hc'},
		});
		assert.equal(readLoginClaims(profileEmail)?.email, 'p@x.io');
		assert.equal(readLoginClaims(profileEmail)?.plan, 'enterprise');
		assert.equal(readLoginClaims('not-a-jwt'), undefined);
		assert.equal(readLoginClaims('a.!!!.c'), undefined);
	});

	it('reads an access token expiry', () => {
		assert.equal(jwtExpiry(makeAccessToken(1_700_000_000_000)), 1_700_000_000_000);
		assert.equal(jwtExpiry(makeJwt({})), undefined);
		assert.equal(jwtExpiry('opaque'), undefined);
	});
});

describe('parseAuthJson', () => {
	it('reads a Codex auth.json', () => {
		const login = parseAuthJson(authJson('acc-1', {plan: 'team'}), 'auth.json');
		assert.equal(login.accountId, 'acc-1');
		assert.equal(login.email, 'acc-1@example.com');
		assert.equal(login.plan, 'team');
		assert.equal(login.tokens.refreshToken, 'rt-secret-acc-1');
		assert.equal(login.tokens.lastRefresh, Date.parse('2026-08-20T10:00:00.123Z'));
	});

	it('takes the account from the id token when tokens.account_id is missing', () => {
		const value = JSON.parse(authJson('acc-2'));
		delete value.tokens.account_id;
		assert.equal(parseAuthJson(JSON.stringify(value), 'f').accountId, 'acc-2');
	});

	type AuthValue = {tokens: Record<string, unknown>} & Record<string, unknown>;
	const bad: [string, (value: AuthValue) => unknown, RegExp][] = [
		['not JSON', () => '{"tokens": {"refresh_token": "rt-secret-x"', /is not valid JSON/],
		['an array', () => [], /is not a JSON object/],
		['an API key login', () => ({OPENAI_API_KEY: 'sk-secret'}), /API-key login, not a ChatGPT login/],
		['no tokens', () => ({}), /has no "tokens" object/],
		[
			'no refresh token',
			(v) => ({...v, tokens: {...v.tokens, refresh_token: ''}}),
			/tokens.refresh_token is missing/,
		],
		[
			'no access token',
			(v) => ({...v, tokens: {...v.tokens, access_token: undefined}}),
			/tokens.access_token is missing/,
		],
		[
			'a bad id token',
			(v) => ({...v, tokens: {...v.tokens, id_token: 'rt-secret-x'}}),
			/tokens.id_token is not a JWT/,
		],
		[
			'no account at all',
			(v) => ({...v, tokens: {...v.tokens, account_id: undefined, id_token: makeJwt({email: 'a@b.c'})}}),
			/no tokens.account_id and its id token has no chatgpt_account_id/,
		],
	];
	for (const [label, make, message] of bad) {
		it(`says what is wrong, naming the file: ${label}`, () => {
			const made = make(JSON.parse(authJson('x')));
			const text = typeof made === 'string' ? made : JSON.stringify(made);
			assert.throws(
				() => parseAuthJson(text, '/some/auth.json'),
				(error: unknown) =>
					error instanceof AuthFileError &&
					error.message.startsWith('/some/auth.json: ') &&
					message.test(error.message) &&
					!/secret/.test(error.message),
			);
		});
	}
});

describe('findAuthFiles', () => {
	it('finds auth.json and *.auth.json in a folder, or takes a file as is', () => {
		const dir = tempDir();
		for (const name of ['auth.json', 'b.auth.json', 'a.auth.json', 'config.toml']) {
			fs.writeFileSync(path.join(dir, name), '{}');
		}

		assert.deepEqual(
			findAuthFiles(dir).map((file) => path.basename(file)),
			['a.auth.json', 'auth.json', 'b.auth.json'],
		);
		assert.deepEqual(findAuthFiles(path.join(dir, 'config.toml')), [path.join(dir, 'config.toml')]);
	});

	it('explains a missing path or an empty folder', () => {
		assert.throws(
			() => findAuthFiles('/nonexistent/x'),
			/does not exist: give the path of a Codex auth.json/,
		);
		assert.throws(() => findAuthFiles(tempDir()), /holds no auth.json and no \*.auth.json file/);
	});
});
