import assert from 'node:assert/strict';
import {once} from 'node:events';
import test from 'node:test';
import {type BodySink, UpstreamBody} from '../../source/core/proxy/upstream-body.ts';

/** What undici's dispatch controller does with pause and resume, recorded. */
function fakeController() {
	const calls: string[] = [];
	const controller = {
		aborted: false,
		paused: false,
		reason: null,
		abort() {
			calls.push('abort');
			controller.aborted = true;
		},
		pause() {
			calls.push('pause');
			controller.paused = true;
		},
		resume() {
			calls.push('resume');
			controller.paused = false;
		},
	};
	return {controller, calls};
}

function recordingSink(room: () => boolean = () => true) {
	const got: string[] = [];
	const sink: BodySink = {
		write(chunk) {
			got.push(chunk.toString());
			return room();
		},
		end() {
			got.push('<end>');
		},
		fail(error) {
			got.push(`<fail ${error.message}>`);
		},
	};
	return {sink, got};
}

test('a sink gets every chunk in order, the held ones first, each seen by the observer before it', async () => {
	const {controller} = fakeController();
	const body = new UpstreamBody(controller);
	const seen: string[] = [];
	const {sink, got} = recordingSink();
	body.deliver(Buffer.from('a'));
	body.attach({observe: (chunk) => seen.push(chunk.toString()), beforeEnd: () => Buffer.from('z')});
	body.deliver(Buffer.from('b'));
	assert.deepEqual(got, [], 'nothing flows before a reader comes');
	body.sinkTo(sink);
	assert.deepEqual(got, ['a', 'b']);
	body.deliver(Buffer.from('c'));
	const ended = once(body, 'end');
	const closed = once(body, 'close');
	body.finish();
	assert.deepEqual(got, ['a', 'b', 'c', 'z', '<end>']);
	assert.deepEqual(seen, ['a', 'b', 'c']);
	await ended;
	await closed;
});

test('a full sink pauses the upstream until it has drained', () => {
	const {controller, calls} = fakeController();
	const body = new UpstreamBody(controller);
	let room = true;
	const {sink, got} = recordingSink(() => room);
	body.attach();
	body.sinkTo(sink);
	body.deliver(Buffer.from('a'));
	assert.deepEqual(calls, []);
	room = false;
	body.deliver(Buffer.from('b'));
	assert.deepEqual(calls, ['pause']);
	room = true;
	body.drained();
	assert.deepEqual(calls, ['pause', 'resume']);
	assert.deepEqual(got, ['a', 'b']);
});

test('chunks held for a reader that is slow to come pause the upstream, and resume it once they flow', () => {
	const {controller, calls} = fakeController();
	const body = new UpstreamBody(controller);
	body.attach();
	const chunk = Buffer.alloc(256 * 1024);
	for (let index = 0; index < 5; index++) {
		body.deliver(chunk);
	}

	assert.ok(calls.includes('pause'));
	const {sink, got} = recordingSink();
	body.sinkTo(sink);
	assert.equal(got.length, 5);
	assert.equal(calls.at(-1), 'resume');
});

test('an upstream that breaks after some chunks tells the sink, and the stream reports the error', async () => {
	const {controller} = fakeController();
	const body = new UpstreamBody(controller);
	const {sink, got} = recordingSink();
	body.attach();
	body.sinkTo(sink);
	body.deliver(Buffer.from('a'));
	const failed = once(body, 'error');
	body.fail(new Error('socket hang up'));
	assert.deepEqual(got, ['a', '<fail socket hang up>']);
	assert.equal(((await failed)[0] as Error).message, 'socket hang up');
});

test('read as a stream, the body still gets its chunks in order with the last one added', async () => {
	const {controller} = fakeController();
	const body = new UpstreamBody(controller);
	body.deliver(Buffer.from('a'));
	body.attach({beforeEnd: () => Buffer.from('z')});
	body.deliver(Buffer.from('b'));
	body.finish();
	assert.equal(await body.text(), 'abz');
	assert.throws(() => body.sinkTo(recordingSink().sink), /already being read/);
});
