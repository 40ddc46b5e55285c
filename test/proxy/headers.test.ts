import assert from 'node:assert/strict';
import test from 'node:test';
import {clientResponseHeaders, upstreamRequestHeaders} from '../../source/core/proxy/headers.ts';

const account = {accessToken: 'pooled-access-token', accountId: 'pooled-account-id'};

test('upstream request headers: hop-by-hop and client-only headers never leave, the auth is swapped', () => {
	const client: Record<string, string | undefined> = {
		// Hop-by-hop (RFC 9110 §7.6.1), the proxy-* family and host.
		connection: 'keep-alive, x-hop-named',
		'keep-alive': 'timeout=5',
		'proxy-authorization': 'Basic secret',
		'proxy-connection': 'keep-alive',
		'proxy-authenticate': 'Basic',
		te: 'trailers',
		trailer: 'x-trailer',
		'transfer-encoding': 'chunked',
		upgrade: 'websocket',
		host: '127.0.0.1:4455',
		// Named by Connection, so hop-by-hop too.
		'x-hop-named': 'drop me',
		// The client's own credentials and what the proxy recomputes.
		authorization: 'Bearer cxp_client_key',
		'chatgpt-account-id': 'client-own-account',
		cookie: 'session=abc',
		'x-api-key': 'client-api-key',
		'openai-organization': 'org-client',
		'openai-project': 'proj-client',
		'content-length': '123',
		'content-encoding': 'zstd',
		'accept-encoding': 'gzip',
		// End to end: kept.
		'session-id': 's-1',
		originator: 'codex_cli_rs',
		'x-codex-turn-state': 'turn-state',
		'openai-beta': 'responses=experimental',
		'user-agent': 'codex_cli_rs/0.171.0',
		'x-undefined': undefined,
	};
	const sent = upstreamRequestHeaders(client, account, {dropTurnState: false});
	for (const name of [
		'connection',
		'keep-alive',
		'proxy-authorization',
		'proxy-connection',
		'proxy-authenticate',
		'te',
		'trailer',
		'transfer-encoding',
		'upgrade',
		'host',
		'x-hop-named',
		'cookie',
		'x-api-key',
		'openai-organization',
		'openai-project',
		'content-length',
		'content-encoding',
		'accept-encoding',
		'x-undefined',
	]) {
		assert.equal(sent[name], undefined, name);
	}

	assert.equal(sent.authorization, 'Bearer pooled-access-token');
	assert.equal(sent['chatgpt-account-id'], 'pooled-account-id');
	assert.ok(!JSON.stringify(sent).includes('cxp_client_key'), 'the client key never goes upstream');
	assert.ok(!JSON.stringify(sent).includes('client-own-account'));
	assert.equal(sent['content-type'], 'application/json');
	for (const name of ['session-id', 'originator', 'x-codex-turn-state', 'openai-beta', 'user-agent']) {
		assert.equal(sent[name], client[name], name);
	}
});

test('a request that moves drops the turn state, which routes to the account that issued it', () => {
	const client = {'x-codex-turn-state': 'from-account-a', 'session-id': 's'};
	assert.equal(
		upstreamRequestHeaders(client, account, {dropTurnState: true})['x-codex-turn-state'],
		undefined,
	);
	assert.equal(
		upstreamRequestHeaders(client, account, {dropTurnState: false})['x-codex-turn-state'],
		'from-account-a',
	);
	assert.equal(
		upstreamRequestHeaders(client, account, {dropTurnState: false, accept: 'text/event-stream'}).accept,
		'text/event-stream',
	);
});

test('client response headers: hop-by-hop, Connection-named and length removed, names lower-cased', () => {
	const cases: Array<[Record<string, string | string[] | undefined>, Record<string, string>]> = [
		[
			{
				'Content-Type': 'text/event-stream',
				'Content-Length': '99',
				Connection: 'keep-alive, X-Upstream-Hop',
				'X-Upstream-Hop': 'drop',
				'Keep-Alive': 'timeout=5',
				'Transfer-Encoding': 'chunked',
				'x-codex-primary-used-percent': '12',
				'set-cookie': ['a=1', 'b=2'],
				'x-missing': undefined,
			},
			{
				'content-type': 'text/event-stream',
				'x-codex-primary-used-percent': '12',
				'set-cookie': 'a=1, b=2',
			},
		],
		[
			{'content-type': 'application/json', upgrade: 'h2c', trailer: 'x'},
			{'content-type': 'application/json'},
		],
		[{}, {}],
	];
	for (const [upstream, expected] of cases) {
		assert.deepEqual(clientResponseHeaders(upstream), expected);
	}
});
