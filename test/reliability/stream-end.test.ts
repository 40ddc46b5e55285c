import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import {request} from 'undici';
import {classifyAnswer, sseData} from '../../bench/reliability/outcome.ts';
import {type Rig, startRig} from '../helpers/rig.ts';
import {reliabilityAccounts} from './harness.ts';

let rig: Rig;

before(async () => {
	rig = await startRig({accounts: reliabilityAccounts});
});

after(async () => {
	await rig.close();
});

const body = JSON.stringify({
	model: 'gpt-5.5',
	stream: true,
	store: false,
	input: [{type: 'message', role: 'user', content: [{type: 'input_text', text: 'hi'}]}],
});

async function turn() {
	const answer = await request(`${rig.core.url}/backend-api/codex/responses`, {
		method: 'POST',
		headers: {'content-type': 'application/json'},
		body,
	});
	return {
		status: answer.statusCode,
		type: String(answer.headers['content-type']),
		text: await answer.body.text(),
	};
}

for (const kind of ['stream_cut', 'reset_after_first_byte'] as const) {
	test(`an upstream stream broken after the first byte (${kind}) ends with response.failed, and is not replayed`, async () => {
		const before = rig.upstream.log.length;
		rig.upstream.faults.inject({kind, times: 1});
		const answer = await turn();
		assert.equal(answer.status, 200);
		assert.equal(classifyAnswer('responses-sse', answer.status, answer.type, answer.text).kind, 'error');
		const last = JSON.parse(sseData(answer.text).at(-1)!) as {
			type: string;
			response: {error: {code: string}};
		};
		assert.equal(last.type, 'response.failed');
		assert.equal(last.response.error.code, 'upstream_stream_broken');
		const attempts = rig.upstream.log
			.slice(before)
			// Model requests (POSTs or WebSocket frames), not a WebSocket handshake.
			.filter((entry) => entry.path.startsWith('/backend-api/codex/responses') && entry.method !== 'GET');
		assert.equal(attempts.length, 1, 'one upstream attempt: nothing replayed after the first byte');
		// The next turn is served as usual.
		const next = await turn();
		assert.equal(classifyAnswer('responses-sse', next.status, next.type, next.text).kind, 'completed');
	});
}
