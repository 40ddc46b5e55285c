import assert from 'node:assert/strict';
import {after, describe, it} from 'node:test';
import {request} from 'undici';
import {serveInProcess, slowHomes, spawnCli} from './serve-harness.ts';

/*
Stopping `serve` (SIGTERM, Ctrl-C: the same abort) stops accepting, lets the streams in flight finish within the
grace period, and ends those still running with their protocol's last event; it exits 0.
*/
const homes = slowHomes('codexpool-stop-');

const input = [{type: 'message', role: 'user', content: [{type: 'input_text', text: 'a long answer'}]}];

/** A Codex turn (Responses SSE); resolves with the whole body once the stream ends. */
async function responsesStream(
	url: string,
	session: string,
): Promise<{status: number; body: Promise<string>}> {
	const answer = await request(`${url}/backend-api/codex/responses`, {
		method: 'POST',
		headers: {'content-type': 'application/json', 'session-id': session},
		body: JSON.stringify({model: 'gpt-5.5', stream: true, store: false, input}),
	});
	return {status: answer.statusCode, body: answer.body.text()};
}

/** A streamed chat completion; resolves with the whole body once the stream ends. */
async function chatStream(url: string): Promise<{status: number; body: Promise<string>}> {
	const answer = await request(`${url}/v1/chat/completions`, {
		method: 'POST',
		headers: {'content-type': 'application/json'},
		body: JSON.stringify({
			model: 'gpt-5.5',
			stream: true,
			messages: [{role: 'user', content: 'a long answer'}],
		}),
	});
	return {status: answer.statusCode, body: answer.body.text()};
}

/** A streamed /v1/responses answer (the OpenAI Responses door); resolves with the whole body once the stream ends. */
async function openAiResponsesStream(url: string): Promise<{status: number; body: Promise<string>}> {
	const answer = await request(`${url}/v1/responses`, {
		method: 'POST',
		headers: {'content-type': 'application/json'},
		body: JSON.stringify({model: 'gpt-5.5', stream: true, input: 'a long answer'}),
	});
	return {status: answer.statusCode, body: answer.body.text()};
}

describe('stopping serve', () => {
	after(() => homes.close());

	it('ends streams still running after the grace period with response.failed / an error chunk and [DONE]; exit 0', async () => {
		const home = await homes.next(100); // 10 s per turn, far beyond the grace
		const daemon = await serveInProcess(home, ['--grace', '1s']);
		const codex = await responsesStream(daemon.url, 'stop-codex');
		const chat = await chatStream(daemon.url);
		const openAi = await openAiResponsesStream(daemon.url);
		assert.equal(codex.status, 200);
		assert.equal(chat.status, 200);
		assert.equal(openAi.status, 200);
		const started = Date.now();
		const exit = daemon.stop();
		const [codexBody, chatBody, openAiBody] = await Promise.all([codex.body, chat.body, openAi.body]);
		assert.equal(await exit, 0, daemon.output());
		const took = Date.now() - started;
		assert.ok(
			took >= 900 && took < 5000,
			`stopped after the 1 s grace, not at once nor at the end (${took} ms)`,
		);
		assert.match(daemon.output(), /no new connections; 3 streams in flight get up to 1 s to finish/);
		// Responses: the stream's last event is response.failed, saying why.
		const codexEvents = codexBody.trim().split('\n\n');
		assert.match(
			codexEvents.at(-1)!,
			/^event: response\.failed\ndata: .*codexpool stopped before this answer was complete/,
		);
		assert.doesNotMatch(codexBody, /response\.completed/);
		// Chat completions: an error chunk, then [DONE].
		const chatEvents = chatBody.trim().split('\n\n');
		assert.equal(chatEvents.at(-1), 'data: [DONE]');
		assert.match(
			chatEvents.at(-2)!,
			/^data: \{"error":\{.*codexpool stopped before this answer was complete/,
		);
		// OpenAI Responses (/v1/responses): its stream's error event, as for any stream cut there.
		const openAiEvents = openAiBody.trim().split('\n\n');
		assert.match(
			openAiEvents.at(-1)!,
			/^event: error\ndata: \{"type":"error","code":"pool_stopping","message":"codexpool stopped before this answer was complete/,
		);
		// No longer accepting.
		await assert.rejects(request(`${daemon.url}/healthz`));
	});

	it('the real process: Ctrl-C (SIGINT) starts the grace, a second Ctrl-C ends the streams at once; exit 0', async () => {
		const home = await homes.next(300); // 30 s per turn
		const daemon = spawnCli(
			['serve', '--port', '0', '--no-tls', '--grace', '60s', '--home', home.home],
			home.env,
		);
		try {
			const [, url] = await daemon.waitFor(/at (http:\/\/127\.0\.0\.1:\d+)\n/, 60_000);
			const codex = await responsesStream(url!, 'stop-sigint');
			assert.equal(codex.status, 200);
			daemon.child.kill('SIGINT');
			await daemon.waitFor(/1 stream in flight get up to 1 min to finish \(Ctrl-C again ends them now\)/);
			const second = Date.now();
			daemon.child.kill('SIGINT');
			const body = await codex.body;
			assert.equal(await daemon.exit, 0, daemon.output());
			assert.ok(Date.now() - second < 20_000, 'the second Ctrl-C did not wait for the 60 s grace');
			assert.match(
				body.trim().split('\n\n').at(-1)!,
				/^event: response\.failed\ndata: .*codexpool stopped before this answer was complete/,
			);
		} finally {
			daemon.child.kill('SIGKILL');
		}
	});

	it('lets a stream that finishes within the grace period complete', async () => {
		const home = await homes.next(10); // 1 s per turn
		const daemon = await serveInProcess(home, ['--grace', '10s']);
		const codex = await responsesStream(daemon.url, 'stop-finishes');
		const started = Date.now();
		const exit = daemon.stop();
		const body = await codex.body;
		assert.equal(await exit, 0, daemon.output());
		assert.match(body, /event: response\.completed/);
		assert.doesNotMatch(body, /response\.failed/);
		assert.ok(Date.now() - started < 8000, 'stops once the stream is done, not after the whole grace');
	});
});
