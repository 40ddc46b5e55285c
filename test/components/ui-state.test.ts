import assert from 'node:assert/strict';
import {test} from 'node:test';
import {clampOffset, visibleWindow} from '../../source/components/scroll.ts';
import {
	cyclePanel,
	initialUiState,
	moveSelection,
	scroll,
	selectedAccount,
} from '../../source/components/ui-state.ts';
import {makeAccount} from '../helpers/fake-core.ts';

const accounts = ['a', 'b', 'c'].map((id) => makeAccount({id}));

test('the selection moves and stops at the ends', () => {
	assert.equal(moveSelection(accounts, undefined, 1), 'b');
	assert.equal(moveSelection(accounts, 'b', 1), 'c');
	assert.equal(moveSelection(accounts, 'c', 1), 'c');
	assert.equal(moveSelection(accounts, 'a', -1), 'a');
	assert.equal(moveSelection([], undefined, 1), undefined);
});

test('a vanished selection falls back to the first account', () => {
	assert.equal(selectedAccount(accounts, 'gone')?.id, 'a');
	assert.equal(selectedAccount(accounts, 'c')?.id, 'c');
	assert.equal(selectedAccount([], 'c'), undefined);
});

test('tab cycles the panels and the lower area follows', () => {
	let state = initialUiState;
	const seen: string[] = [];
	for (let index = 0; index < 5; index++) {
		state = cyclePanel(state, 1);
		seen.push(`${state.focus}/${state.lower}`);
	}
	assert.deepEqual(seen, [
		'timeline/timeline',
		'sessions/sessions',
		'log/log',
		'notices/notices',
		'accounts/notices',
	]);
	assert.equal(cyclePanel(initialUiState, -1).focus, 'notices');
});

test('scrolling stays inside the list', () => {
	assert.equal(scroll(initialUiState, 'log', -1, 10).offsets.log, 0);
	assert.equal(scroll(initialUiState, 'log', 3, 10).offsets.log, 3);
	assert.equal(scroll(initialUiState, 'log', 30, 10).offsets.log, 9);
	assert.equal(clampOffset(9, 10, 4), 6);
	assert.equal(clampOffset(3, 2, 4), 0);
});

test('the visible window keeps the focus on screen', () => {
	assert.deepEqual(visibleWindow(5, 4, 10), {start: 0, end: 5});
	assert.deepEqual(visibleWindow(20, 0, 5), {start: 0, end: 5});
	assert.deepEqual(visibleWindow(20, 10, 5), {start: 8, end: 13});
	assert.deepEqual(visibleWindow(20, 19, 5), {start: 15, end: 20});
	assert.deepEqual(visibleWindow(20, -1, 5), {start: 0, end: 5});
});
