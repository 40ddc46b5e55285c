import assert from 'node:assert/strict';
import {once} from 'node:events';
import test from 'node:test';
import WebSocket from 'ws';
import {type Rig, startRig} from '../helpers/rig.ts';
import {turnBody} from './harness.ts';

// When no account can take a request, every door (Codex's HTTP path, /v1/responses, /v1/chat/completions and a
// WebSocket's error frame) says what is wrong and the command that fixes it; "try again" and a reset time only
// when waiting helps (exhausted accounts with a known reset). Never "upstream failed", never "..".

type Answer = {status: number; message: string; type: string};

async function post(url: string, body: unknown): Promise<Answer> {
	const response = await fetch(url, {
		method: 'POST',
		headers: {'content-type': 'application/json', 'session-id': `s-${Math.random()}`},
		body: JSON.stringify(body),
	});
	const {error} = (await response.json()) as {error: {message: string; type: string; code?: string}};
	return {status: response.status, message: error.message, type: error.code ?? error.type};
}

async function wsFrame(url: string): Promise<Answer> {
	const socket = new WebSocket(`${url.replace('http', 'ws')}/backend-api/codex/responses`, {
		headers: {'session-id': `ws-${Math.random()}`},
	});
	await once(socket, 'open');
	socket.send(JSON.stringify({type: 'response.create', ...turnBody('hi')}));
	const [data] = (await once(socket, 'message')) as [Buffer];
	socket.close();
	const frame = JSON.parse(data.toString()) as {
		type: string;
		status: number;
		error: {message: string; code: string};
	};
	assert.equal(frame.type, 'error');
	return {status: frame.status, message: frame.error.message, type: frame.error.code};
}

/** The four doors' answers, by door. */
async function doors(rig: Rig) {
	return {
		codex: await post(`${rig.url}/backend-api/codex/responses`, turnBody('hi')),
		responses: await post(`${rig.url}/v1/responses`, {model: 'gpt-5.6-sol', input: 'hi'}),
		chat: await post(`${rig.url}/v1/chat/completions`, {
			model: 'gpt-5.6-sol',
			messages: [{role: 'user', content: 'hi'}],
		}),
		websocket: await wsFrame(rig.url),
	};
}

function assertEveryDoor(answers: Awaited<ReturnType<typeof doors>>, status: number, message: string) {
	for (const [door, answer] of Object.entries(answers)) {
		assert.equal(answer.status, status, door);
		assert.equal(answer.message, message, door);
		assert.doesNotMatch(answer.message, /upstream failed|\.\.|try again/i, door);
	}
}

test('every account needs a new login: each named with `codexpool login --name`', async (t) => {
	const rig = await startRig({accounts: ['alice', 'bob']});
	t.after(() => rig.close());
	rig.pool.markNeedsLogin(rig.id('alice'), 'refresh token refused');
	rig.pool.markNeedsLogin(rig.id('bob'), 'refresh token refused');
	assertEveryDoor(
		await doors(rig),
		503,
		'No account in the pool can take this request: alice and bob need a new login (`codexpool login --name NAME` for each).',
	);
});

test('one account needing a login, one evicted, one drained: each cause with its own command', async (t) => {
	const rig = await startRig({accounts: ['alice', 'bob', 'carol']});
	t.after(() => rig.close());
	rig.pool.markNeedsLogin(rig.id('alice'), 'refresh token refused');
	assert.ok((await rig.core.evict('bob')).ok);
	assert.ok((await rig.core.drain('carol')).ok);
	assertEveryDoor(
		await doors(rig),
		503,
		'No account in the pool can take this request: alice needs a new login (`codexpool login --name alice`); bob is evicted (`codexpool restore bob`); carol is drained and takes no new sessions (`codexpool restore carol`).',
	);
});

test('every account drained: not a usage limit "usable again now", but the drain and its undo', async (t) => {
	const rig = await startRig({accounts: ['alice', 'bob']});
	t.after(() => rig.close());
	assert.ok((await rig.core.drain('alice')).ok);
	assert.ok((await rig.core.drain('bob')).ok);
	assertEveryDoor(
		await doors(rig),
		503,
		'No account in the pool can take this request: alice and bob are drained and take no new sessions (`codexpool restore NAME` for each).',
	);
});

test('exhausted with a known reset: 429 with the reset, and the set-aside accounts named with their fix', async (t) => {
	const rig = await startRig({accounts: ['alice', 'bob']});
	t.after(() => rig.close());
	const resets = Math.ceil((Date.now() + 3_600_000) / 1000) * 1000;
	rig.pool.markCooling(rig.id('alice'), resets, 'quota');
	assert.ok((await rig.core.evict('bob')).ok);
	const answers = await doors(rig);
	const iso = new Date(resets).toISOString();
	const pool = `Every account in the pool has reached its usage limit or is set aside; the first is usable again at ${iso}. Set aside: bob is evicted (\`codexpool restore bob\`).`;
	for (const door of ['codex', 'websocket'] as const) {
		assert.equal(answers[door].status, 429, door);
		assert.equal(answers[door].type, 'usage_limit_reached', door);
		assert.equal(answers[door].message, pool, door);
	}

	for (const door of ['responses', 'chat'] as const) {
		assert.equal(answers[door].status, 429, door);
		assert.match(
			answers[door].message,
			new RegExp(
				`^Every account in the pool has reached its usage limit\\. The earliest account resets at ${iso.replaceAll('.', '\\.')} \\(resets_at \\d+, in \\d+ s\\)\\. Set aside: bob is evicted \\(\`codexpool restore bob\`\\)\\.$`,
			),
			door,
		);
	}
});

test('every account resting after failures (401 after a refresh, server errors): not a usage limit, but what failed and when they are tried again', async (t) => {
	const rig = await startRig({accounts: ['alice', 'bob', 'carol']});
	t.after(() => rig.close());
	// A few failures in a row: a backoff long enough for the four doors to ask.
	for (let index = 0; index < 4; index++) {
		rig.pool.markFailure(rig.id('alice'), 'auth');
		rig.pool.markFailure(rig.id('bob'), 'server');
	}

	assert.ok((await rig.core.evict('carol')).ok);
	const first = Math.min(rig.pool.usableAt(rig.id('alice'))!, rig.pool.usableAt(rig.id('bob'))!);
	const answers = await doors(rig);
	for (const [door, answer] of Object.entries(answers)) {
		assert.equal(answer.status, 503, door);
		assert.equal(answer.type, 'accounts_failing', door);
		assert.equal(
			answer.message,
			`No account in the pool can serve right now: alice refused (401) even after a token refresh; bob answered with server errors. Each is tried again after a short rest, the first at ${new Date(first).toISOString()}: try again then. Set aside: carol is evicted (\`codexpool restore carol\`).`,
			door,
		);
		assert.doesNotMatch(answer.message, /usage limit|upstream failed|\.\./, door);
	}
});
