import assert from 'node:assert/strict';
import type {IncomingMessage} from 'node:http';
import test from 'node:test';
import {
	assertBindAllowed,
	createAccessPolicy,
	hostNameOf,
	isLoopback,
} from '../../source/core/http/access.ts';
import type {Door} from '../../source/core/http/route.ts';

const goodKey = 'cxp_good';
const keys = {verify: (presented: string) => (presented === goodKey ? ({id: 'k'} as never) : undefined)};

function request(headers: Record<string, string>, remoteAddress = '127.0.0.1'): IncomingMessage {
	return {headers, socket: {remoteAddress}} as unknown as IncomingMessage;
}

function policy(options: {
	bindHost?: string;
	requireKey?: boolean;
	allowedOrigins?: string[];
	adminToken?: string;
}) {
	return createAccessPolicy({
		bindHost: options.bindHost ?? '127.0.0.1',
		keys,
		settings: () => ({requireKey: options.requireKey ?? false, allowedOrigins: options.allowedOrigins ?? []}),
		adminToken: options.adminToken,
	});
}

test('one loopback rule: all of 127.0.0.0/8, ::1, their mapped forms and localhost', () => {
	const cases: Array<[string | undefined, boolean]> = [
		['127.0.0.1', true],
		['127.0.0.2', true],
		['127.255.255.254', true],
		['::1', true],
		['[::1]', true],
		['::ffff:127.0.0.1', true],
		['::ffff:127.0.0.9', true],
		['localhost', true],
		['LOCALHOST', true],
		['0.0.0.0', false],
		['::', false],
		['128.0.0.1', false],
		['10.0.0.5', false],
		['192.168.1.10', false],
		['::ffff:10.0.0.5', false],
		['localhost.evil.example', false],
		['127.0.0.1.evil.example', false],
		[undefined, false],
	];
	for (const [address, expected] of cases) {
		assert.equal(isLoopback(address), expected, String(address));
	}
});

test('a Host header is reduced to its name', () => {
	const cases: Array<[string, string]> = [
		['127.0.0.1:4455', '127.0.0.1'],
		['localhost', 'localhost'],
		['[::1]:4455', '::1'],
		['[::1]', '::1'],
		['Evil.Example:5577', 'evil.example'],
	];
	for (const [host, name] of cases) {
		assert.equal(hostNameOf(host), name, host);
	}
});

test('the Host rule: the pool answers only to its own names (DNS rebinding)', () => {
	const loopback = policy({});
	const lan = policy({bindHost: '192.168.1.10', requireKey: true});
	const cases: Array<[ReturnType<typeof policy>, string, number | undefined]> = [
		[loopback, '127.0.0.1:4455', undefined],
		[loopback, '127.0.0.1', undefined],
		[loopback, 'localhost:4455', undefined],
		[loopback, '[::1]:4455', undefined],
		[loopback, '127.0.0.1:4456', undefined],
		[loopback, 'evil.example:4455', 421],
		[loopback, 'evil.example', 421],
		[loopback, '192.168.1.10:4455', 421],
		[loopback, 'localhost.evil.example:4455', 421],
		[lan, '192.168.1.10:4455', undefined],
		[lan, '127.0.0.1:4455', undefined],
		[lan, 'evil.example:4455', 421],
	];
	for (const [access, host, status] of cases) {
		assert.equal(access.checkCaller(request({host}))?.status, status, host);
	}

	assert.equal(loopback.checkCaller(request({})), undefined, 'HTTP/1.0 without a Host');
	assert.match(
		loopback.checkCaller(request({host: 'evil.example:4455'}))?.message ?? '',
		/only to its own host names .*evil\.example:4455.*127\.0\.0\.1/,
	);
});

test('the Origin rule: a browser request is refused unless its origin is allowed', () => {
	const strict = policy({});
	const allowing = policy({allowedOrigins: ['https://app.example']});
	const host = '127.0.0.1:4455';
	const cases: Array<[ReturnType<typeof policy>, string | undefined, number | undefined]> = [
		[strict, undefined, undefined],
		[strict, 'https://evil.example', 403],
		[strict, 'null', 403],
		[strict, 'http://127.0.0.1:4455', 403],
		[allowing, 'https://app.example', undefined],
		[allowing, 'https://APP.example/', undefined],
		[allowing, 'https://app.example:8443', 403],
		[allowing, 'http://app.example', 403],
	];
	for (const [access, origin, status] of cases) {
		const headers: Record<string, string> = {host};
		if (origin !== undefined) {
			headers.origin = origin;
		}

		assert.equal(access.checkCaller(request(headers))?.status, status, String(origin));
	}

	assert.match(
		strict.checkCaller(request({host, origin: 'https://evil.example'}))?.message ?? '',
		/does not serve web pages.*settings\.allowedOrigins/,
	);
});

test('the credential rule, door by door', () => {
	type Case = {
		name: string;
		door: Door;
		auth?: string;
		remote?: string;
		bindHost?: string;
		requireKey?: boolean;
		adminToken?: string;
		status: number | undefined;
		code?: string;
	};
	const cases: Case[] = [
		{name: 'codex, loopback, no key', door: 'codex', status: undefined},
		{name: 'openai, loopback, no key', door: 'openai', status: undefined},
		{name: 'codex, placeholder key', door: 'codex', auth: 'Bearer sk-unused', status: undefined},
		{name: 'codex, Codex login token', door: 'codex', auth: 'Bearer eyJhbGciOi', status: undefined},
		{name: 'codex, good key', door: 'codex', auth: `Bearer ${goodKey}`, status: undefined},
		// A wrong or revoked pool key is refused on every door, required or not.
		...(['codex', 'openai', 'admin'] as const).map(
			(door): Case => ({
				name: `${door}, wrong cxp_ key`,
				door,
				auth: 'Bearer cxp_wrong',
				status: 401,
				code: 'invalid_api_key',
			}),
		),
		{name: 'health, wrong cxp_ key', door: 'health', auth: 'Bearer cxp_wrong', status: undefined},
		{name: 'codex, requireKey, none', door: 'codex', requireKey: true, status: 401, code: 'missing_api_key'},
		{
			name: 'openai, requireKey, placeholder',
			door: 'openai',
			requireKey: true,
			auth: 'Bearer sk-unused',
			status: 401,
			code: 'invalid_api_key',
		},
		{
			name: 'openai, requireKey, good',
			door: 'openai',
			requireKey: true,
			auth: `Bearer ${goodKey}`,
			status: undefined,
		},
		{name: 'health, requireKey, none', door: 'health', requireKey: true, status: undefined},
		{name: 'codex, 127.0.0.2 client', door: 'codex', remote: '127.0.0.2', status: undefined},
		{name: 'codex, mapped loopback client', door: 'codex', remote: '::ffff:127.0.0.1', status: undefined},
		{name: 'codex, bound beyond loopback, no key', door: 'codex', bindHost: '0.0.0.0', status: 401},
		{
			name: 'codex, bound beyond loopback, good key',
			door: 'codex',
			bindHost: '0.0.0.0',
			remote: '10.0.0.7',
			auth: `Bearer ${goodKey}`,
			status: undefined,
		},
		{
			name: 'openai, LAN client, no key',
			door: 'openai',
			bindHost: '0.0.0.0',
			remote: '10.0.0.7',
			status: 401,
		},
		{name: 'admin, loopback', door: 'admin', status: undefined},
		{name: 'admin, 127.0.0.2', door: 'admin', remote: '127.0.0.2', status: undefined},
		{name: 'admin, LAN, no token configured', door: 'admin', remote: '10.0.0.7', status: 403},
		{
			name: 'admin, LAN, good key is no admin token',
			door: 'admin',
			remote: '10.0.0.7',
			auth: `Bearer ${goodKey}`,
			status: 403,
		},
		{
			name: 'admin, LAN, wrong token',
			door: 'admin',
			remote: '10.0.0.7',
			adminToken: 'secret',
			auth: 'Bearer nope',
			status: 403,
		},
		{
			name: 'admin, LAN, admin token',
			door: 'admin',
			remote: '10.0.0.7',
			adminToken: 'secret',
			auth: 'Bearer secret',
			status: undefined,
		},
	];
	for (const entry of cases) {
		const access = policy({
			bindHost: entry.bindHost,
			requireKey: entry.requireKey,
			adminToken: entry.adminToken,
		});
		const headers: Record<string, string> = {host: '127.0.0.1:4455'};
		if (entry.auth !== undefined) {
			headers.authorization = entry.auth;
		}

		const refusal = access.checkCredential(request(headers, entry.remote ?? '127.0.0.1'), entry.door);
		assert.equal(refusal?.status, entry.status, entry.name);
		if (entry.code !== undefined) {
			assert.equal(refusal?.code, entry.code, entry.name);
		}
	}
});

test('binding beyond loopback needs requireKey and a key; 127.0.0.0/8 is loopback', () => {
	const store = (requireKey: boolean, keyCount: number) => ({
		getSettings: () => ({requireKey}),
		getKeys: () => Array.from({length: keyCount}),
	});
	for (const host of ['127.0.0.1', '127.0.0.2', '::1', 'localhost']) {
		assert.doesNotThrow(() => assertBindAllowed(host, store(false, 0)), host);
	}

	for (const host of ['0.0.0.0', '::', '192.168.1.10']) {
		assert.throws(() => assertBindAllowed(host, store(false, 1)), /Refusing to listen/, host);
		assert.throws(() => assertBindAllowed(host, store(true, 0)), /Refusing to listen/, host);
		assert.doesNotThrow(() => assertBindAllowed(host, store(true, 1)), host);
	}
});
