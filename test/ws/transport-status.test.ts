import assert from 'node:assert/strict';
import test from 'node:test';
import {statusText} from '../../source/core/control/status-text.ts';
import {makeSession, makeSnapshot} from '../helpers/fake-core.ts';

test('status says how many sessions ride a WebSocket and how many HTTP', () => {
	const text = statusText(
		makeSnapshot({
			sessions: [
				makeSession({id: 's1', transport: 'websocket'}),
				makeSession({id: 's2', transport: 'websocket'}),
				makeSession({id: 's3'}),
			],
		}),
	);
	assert.match(text, /^Sessions: 3 known, 2 over WebSocket, 1 over HTTP$/m);
	assert.doesNotMatch(statusText(makeSnapshot()), /^Sessions:/m);
});
