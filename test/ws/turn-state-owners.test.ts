import assert from 'node:assert/strict';
import test from 'node:test';
import {createIssuerRegistry} from '../../source/core/sessions/issuers.ts';
import {recordFrameTurnState, TurnStateOwners} from '../../source/core/ws/turn-state.ts';

const frame = (metadata: Record<string, unknown>) => ({type: 'response.create', client_metadata: metadata});
const bytes = (value: unknown) => Buffer.from(JSON.stringify(value));

test('a turn state belongs to the account that issued it, whichever socket the connection began on', () => {
	const issuers = createIssuerRegistry();
	recordFrameTurnState({type: 'response.metadata', headers: {'X-Codex-Turn-State': ['ts-b']}}, 'b', issuers);
	recordFrameTurnState(
		{type: 'codex.response.metadata', headers: {'x-codex-turn-state': 'ts-c'}},
		'c',
		issuers,
	);
	recordFrameTurnState({type: 'response.created', headers: {'x-codex-turn-state': 'ts-x'}}, 'x', issuers);
	assert.equal(issuers.issuerOf('ts-b'), 'b', 'any case, a list by its first value');
	assert.equal(issuers.issuerOf('ts-c'), 'c');
	assert.equal(issuers.issuerOf('ts-x'), undefined, 'only metadata frames');

	// The connection began on a (its first socket kept no handshake turn state).
	const owners = new TurnStateOwners({accountId: 'a', keptTurnState: false}, issuers);
	assert.equal(owners.frameForeignTo('b', frame({'x-codex-turn-state': 'ts-b'})), false);
	assert.equal(owners.frameForeignTo('a', frame({'x-codex-turn-state': 'ts-b'})), true);
	assert.equal(owners.frameForeignTo('c', frame({'x-codex-turn-state': 'ts-b'})), true);
	assert.equal(owners.frameForeignTo('b', frame({})), false, 'nothing to strip');
	// A value the pool never saw: the first socket's account.
	assert.equal(owners.frameForeignTo('a', frame({'x-codex-turn-state': 'ts-unknown'})), false);
	assert.equal(owners.frameForeignTo('b', frame({'x-codex-turn-state': 'ts-unknown'})), true);
});

test("read from a frame's bytes (the early send), the same answer, and true when in doubt", () => {
	const issuers = createIssuerRegistry();
	issuers.record('b', 'ts-b');
	const owners = new TurnStateOwners({accountId: 'a', keptTurnState: false}, issuers);
	const own = bytes(frame({'x-codex-turn-metadata': '{}', 'x-codex-turn-state': 'ts-b'}));
	assert.equal(owners.rawFrameForeignTo('b', own), false);
	assert.equal(owners.rawFrameForeignTo('a', own), true);
	assert.equal(owners.rawFrameForeignTo('b', bytes(frame({}))), false);
	assert.equal(owners.rawFrameForeignTo('a', bytes(frame({'x-codex-turn-state': 'ts-unknown'}))), false);
	// In doubt: another spelling, the name twice, an escape in the value.
	assert.equal(
		owners.rawFrameForeignTo('b', Buffer.from('{"client_metadata":{"x-codex-turn-state" : "ts-b"}}')),
		true,
	);
	assert.equal(
		owners.rawFrameForeignTo(
			'b',
			bytes({...frame({'x-codex-turn-state': 'ts-b'}), input: 'x-codex-turn-state'}),
		),
		true,
	);
	assert.equal(owners.rawFrameForeignTo('b', bytes(frame({'x-codex-turn-state': 'ts-"b'}))), true);
});
