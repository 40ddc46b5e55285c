import assert from 'node:assert/strict';
import {after, before, describe, it} from 'node:test';
import {request} from 'undici';
import {createPoolKeys} from '../../source/core/keys/pool-keys.ts';
import {createRandom} from '../../source/core/random.ts';
import {createFuzzer, FUZZ_KINDS} from '../helpers/fuzz.ts';
import {type Rig, startRig} from '../helpers/rig.ts';
import {errorMessage, parseRawAnswer, rawExchange, reliabilityAccounts} from './harness.ts';

const maxBodyBytes = 8 * 1024;
let rig: Rig;

before(async () => {
	rig = await startRig({accounts: reliabilityAccounts, settings: {maxBodyBytes}});
});

after(async () => {
	await rig.close();
});

type Answer = {status: number; body: unknown; text: string; headers: Record<string, unknown>};

async function send(
	method: string,
	path: string,
	options: {headers?: Record<string, string>; body?: string | Buffer} = {},
): Promise<Answer> {
	const answer = await request(rig.core.url + path, {
		method: method as 'POST',
		headers: options.headers,
		body: options.body,
	});
	const text = await answer.body.text();
	let body: unknown;
	try {
		body = JSON.parse(text);
	} catch {}
	return {status: answer.statusCode, body, text, headers: answer.headers};
}

/** A 4xx with a JSON error whose message matches, and the upstream untouched. */
async function refused(answer: Promise<Answer>, status: number | RegExp, message: RegExp): Promise<Answer> {
	const before = rig.clientTraffic();
	const result = await answer;
	if (typeof status === 'number') {
		assert.equal(result.status, status, result.text);
	} else {
		assert.match(String(result.status), status, result.text);
	}

	assert.match(errorMessage(result.body) ?? '', message, result.text);
	assert.equal(rig.clientTraffic(), before, 'nothing reached the upstream');
	return result;
}

async function stillServing(): Promise<void> {
	const health = await send('GET', '/healthz');
	assert.equal(health.status, 200);
	const turn = await send('POST', '/v1/chat/completions', {
		headers: {'content-type': 'application/json'},
		body: JSON.stringify({model: 'gpt-5.5', messages: [{role: 'user', content: 'still there?'}]}),
	});
	assert.equal(turn.status, 200, turn.text);
	assert.equal((turn.body as {object?: string}).object, 'chat.completion');
}

const codex = '/backend-api/codex/responses';
const json = {'content-type': 'application/json'};
const validCodex = JSON.stringify({
	model: 'gpt-5.5',
	stream: true,
	store: false,
	input: [{type: 'message', role: 'user', content: [{type: 'input_text', text: 'hi'}]}],
});

describe('bad input gets a 4xx JSON error, reaches no upstream, and the proxy keeps serving', () => {
	it('malformed JSON', async () => {
		for (const path of [codex, `${codex}/compact`, '/v1/chat/completions', '/v1/responses']) {
			await refused(
				send('POST', path, {headers: json, body: '{"model": "gpt-5.5", "input": ['}),
				400,
				/not valid JSON/,
			);
		}

		await refused(
			send('POST', '/api/accounts/alpha/drain', {headers: json, body: '{oops'}),
			400,
			/not valid JSON/,
		);
		await stillServing();
	});

	it('a JSON body that is not an object', async () => {
		for (const path of [codex, '/v1/chat/completions', '/v1/responses']) {
			await refused(send('POST', path, {headers: json, body: '[1,2]'}), 400, /JSON object/);
		}
	});

	it('a wrong content type (a web page could send it without a CORS preflight)', async () => {
		for (const path of [codex, '/v1/chat/completions', '/v1/responses']) {
			for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
				await refused(
					send('POST', path, {headers: {'content-type': type}, body: validCodex}),
					415,
					/application\/json/,
				);
			}
		}

		await refused(
			send('POST', '/api/accounts/alpha/evict', {headers: {'content-type': 'text/plain'}, body: '{}'}),
			415,
			/application\/json/,
		);
		assert.notEqual(rig.core.getSnapshot().accounts[0]?.state.kind, 'evicted');
		await stillServing();
	});

	it('an unsupported content encoding', async () => {
		await refused(
			send('POST', codex, {headers: {...json, 'content-encoding': 'gzip'}, body: validCodex}),
			415,
			/gzip/,
		);
		await refused(
			send('POST', codex, {headers: {...json, 'content-encoding': 'zstd'}, body: validCodex}),
			400,
			/zstd/,
		);
	});

	it(`a body over settings.maxBodyBytes (${maxBodyBytes}) gets 413 naming the limit`, async () => {
		const big = JSON.stringify({model: 'gpt-5.5', input: 'x'.repeat(maxBodyBytes * 4)});
		for (const path of [codex, '/v1/chat/completions', '/v1/responses']) {
			await refused(send('POST', path, {headers: json, body: big}), 413, new RegExp(String(maxBodyBytes)));
		}

		await stillServing();
	});

	it('unknown paths and methods', async () => {
		await refused(send('GET', '/nowhere'), 404, /does not serve GET \/nowhere/);
		await refused(send('DELETE', codex), 404, /does not serve DELETE/);
		await refused(
			send('PUT', '/v1/chat/completions', {headers: json, body: '{}'}),
			404,
			/does not serve PUT/,
		);
		await refused(send('GET', '/api/nothing-here'), 405, /GET is not allowed/);
		await refused(send('POST', '/api/nothing-here', {headers: json, body: '{}'}), 404, /No admin action/);
		await refused(send('GET', '/backend-api/codex/responses/../../etc/passwd'), 404, /does not serve/);
	});

	it('admin actions naming unknown accounts or strategies', async () => {
		for (const action of ['pin', 'drain', 'evict', 'restore', 'kick']) {
			await refused(
				send('POST', `/api/accounts/nobody/${action}`, {headers: json, body: '{}'}),
				400,
				/No account matches "nobody"/,
			);
		}

		await refused(
			send('POST', '/api/strategy', {headers: json, body: '{"name":"no-such"}'}),
			400,
			/no-such|strategy/i,
		);
		await refused(
			send('POST', '/api/strategy', {headers: json, body: '{"name":42}'}),
			400,
			/Name the strategy/,
		);
	});

	it('header injection: CR/LF or control bytes in a header, huge headers', async () => {
		const before = rig.clientTraffic();
		const host = new URL(rig.core.url).host;
		// A bare CR inside a value (an attempt to smuggle a second header line) is not HTTP.
		const crlf = parseRawAnswer(
			await rawExchange(
				rig.core.url,
				`POST ${codex} HTTP/1.1\r\nhost: ${host}\r\ncontent-type: application/json\r\nsession-id: a\rx-injected: 1\r\ncontent-length: ${validCodex.length}\r\n\r\n${validCodex}`,
			),
		);
		assert.equal(crlf.status, 400);
		assert.match(errorMessage(crlf.body) ?? '', /malformed/i);
		// NUL in a header value.
		const nul = parseRawAnswer(
			await rawExchange(rig.core.url, `GET /healthz HTTP/1.1\r\nhost: ${host}\r\nx-a: b\u0000c\r\n\r\n`),
		);
		assert.equal(nul.status, 400);
		// 100 KB of headers.
		const huge = parseRawAnswer(
			await rawExchange(
				rig.core.url,
				`POST ${codex} HTTP/1.1\r\nhost: ${host}\r\nx-big: ${'a'.repeat(100_000)}\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}`,
			),
		);
		assert.equal(huge.status, 431);
		assert.match(errorMessage(huge.body) ?? '', /headers/i);
		// A request line with a CR/LF in the path.
		const path = parseRawAnswer(
			await rawExchange(rig.core.url, `GET /a\rb HTTP/1.1\r\nhost: ${host}\r\n\r\n`),
		);
		assert.equal(path.status, 400);
		assert.equal(rig.clientTraffic(), before, 'nothing reached the upstream');
		await stillServing();
	});

	it('a header with non-ASCII bytes (legal obs-text) is served and harms no account', async () => {
		const host = new URL(rig.core.url).host;
		const head = `POST ${codex} HTTP/1.1\r\nhost: ${host}\r\ncontent-type: application/json\r\nx-note: caf`;
		const tail = `\r\nconnection: close\r\ncontent-length: ${validCodex.length}\r\n\r\n${validCodex}`;
		for (let i = 0; i < 3; i++) {
			const answer = await rawExchange(
				rig.core.url,
				Buffer.concat([Buffer.from(head), Buffer.from([0xe9, 0xff]), Buffer.from(tail)]),
			);
			assert.match(answer, /^HTTP\/1\.1 200/);
			assert.match(answer, /response\.completed/);
		}

		for (const account of rig.core.getSnapshot().accounts) {
			assert.notEqual(account.state.kind, 'cooling', `${account.name} was not blamed for a client's header`);
		}
	});

	it('client header values are never echoed into response headers', async () => {
		const answer = await send('GET', '/backend-api/wham/accounts/check', {
			headers: {'chatgpt-account-id': 'x", "evil": "1'},
		});
		assert.equal(answer.status, 200);
		// Echoed only inside JSON, escaped; no header carries it.
		assert.equal((answer.body as {default_account_id: string}).default_account_id, 'x", "evil": "1');
		assert.ok(!JSON.stringify(answer.headers).includes('evil'));
	});

	it(`a seeded fuzz run of ${1200} malformed requests: every one a 4xx JSON error, no upstream call`, async () => {
		const fuzzer = createFuzzer(createRandom(2026), {maxBodyBytes});
		const counts = Object.fromEntries(FUZZ_KINDS.map((kind) => [kind, 0]));
		const statuses: Record<string, number> = {};
		const before = rig.clientTraffic();
		const failures: string[] = [];
		const total = 1200;
		for (let i = 0; i < total; i++) {
			const sample = fuzzer.next();
			counts[sample.kind] = (counts[sample.kind] ?? 0) + 1;
			let answer: Answer;
			try {
				answer = await send(sample.method, sample.path, {headers: sample.headers, body: sample.body});
			} catch (error) {
				failures.push(`#${i} ${sample.kind} ${sample.method} ${sample.path}: ${(error as Error).message}`);
				continue;
			}

			statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
			if (answer.status < 400 || answer.status >= 500 || errorMessage(answer.body) === undefined) {
				failures.push(
					`#${i} ${sample.kind} ${sample.method} ${sample.path} ${sample.body?.subarray(0, 80).toString('latin1')}: ${answer.status} ${answer.text.slice(0, 200)}`,
				);
			}

			if (i % 200 === 199) {
				assert.equal((await send('GET', '/healthz')).status, 200, 'the proxy answers during the fuzz run');
			}
		}

		console.log(
			`fuzz: ${total} malformed requests by kind ${JSON.stringify(counts)}; statuses ${JSON.stringify(statuses)}`,
		);
		assert.deepEqual(failures.slice(0, 20), [], `${failures.length} of ${total} not refused cleanly`);
		assert.equal(rig.clientTraffic(), before, 'no fuzz request reached the upstream');
		for (const kind of FUZZ_KINDS) {
			assert.ok((counts[kind] ?? 0) > 50, `${kind} was generated`);
		}

		await stillServing();
	});
});

describe("wrong types on Codex's own path (passed through: the upstream judges its protocol)", () => {
	it("never a 5xx from the proxy, and no account is blamed for a client's body", async () => {
		const base = {
			model: 'gpt-5.5',
			stream: true,
			store: false,
			instructions: 'x',
			input: [{type: 'message', role: 'user', content: [{type: 'input_text', text: 'hi'}]}],
			include: ['reasoning.encrypted_content'],
			prompt_cache_key: 'k',
			previous_response_id: 'resp_1',
			tools: [],
			reasoning: {effort: 'low'},
		};
		const values = [42, '', 'text', true, null, [], [1, 'two', null], {}, {nested: {deeper: [{}]}}];
		const statuses: Record<number, number> = {};
		for (const field of Object.keys(base)) {
			for (const value of values) {
				for (const path of [codex, `${codex}/compact`]) {
					const answer = await send('POST', path, {
						headers: json,
						body: JSON.stringify({...base, [field]: value}),
					});
					statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
					assert.ok(
						answer.status < 500,
						`${path} ${field}=${JSON.stringify(value)}: ${answer.status} ${answer.text.slice(0, 200)}`,
					);
				}
			}
		}

		console.log(`codex wrong types: ${JSON.stringify(statuses)}`);
		for (const account of rig.core.getSnapshot().accounts) {
			assert.equal(account.state.kind, 'active', `${account.name} was not blamed`);
		}
	});
});

describe('pool keys required', () => {
	it('a missing or wrong pool key is a 401 JSON error on every client path; a good key passes', async () => {
		const {key} = createPoolKeys(rig.store).create('reliability');
		rig.store.setSettings({requireKey: true});
		try {
			for (const path of [codex, '/v1/chat/completions', '/v1/responses']) {
				await refused(
					send('POST', path, {headers: json, body: validCodex}),
					401,
					/pool key|key is required/i,
				);
				for (const wrong of ['Bearer cxp_wrong', 'Bearer sk-not-a-pool-key', 'Basic abc', `Bearer ${key}x`]) {
					await refused(
						send('POST', path, {headers: {...json, authorization: wrong}, body: validCodex}),
						401,
						/pool key|key/i,
					);
				}
			}

			const good = await send('POST', '/v1/chat/completions', {
				headers: {...json, authorization: `Bearer ${key}`},
				body: JSON.stringify({model: 'gpt-5.5', messages: [{role: 'user', content: 'hi'}]}),
			});
			assert.equal(good.status, 200, good.text);
			const codexGood = await send('POST', codex, {
				headers: {...json, authorization: `Bearer ${key}`},
				body: validCodex,
			});
			assert.equal(codexGood.status, 200, codexGood.text);
			assert.match(codexGood.text, /response\.completed/);
			// The pool key never goes upstream: the account's token replaces it.
			assert.ok(!JSON.stringify(rig.upstream.log.map((entry) => entry.headers)).includes(key));
		} finally {
			rig.store.setSettings({requireKey: false});
		}
	});
});
