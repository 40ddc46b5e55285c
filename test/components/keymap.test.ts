import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {test} from 'node:test';
import type {Key} from 'ink';
import {fittingEntries} from '../../source/components/footer.tsx';
import {plainKey, splitKeys} from '../../source/components/key-chunks.ts';
import {
	commandFor,
	footerEntries,
	type KeyScope,
	keyLabel,
	keyMatches,
	keymap,
} from '../../source/components/keymap.ts';

const key = (overrides: Partial<Key>): Key => ({...plainKey, ...overrides});

test('no key is bound to two commands in one scope', () => {
	const scopes: KeyScope[] = ['main', 'confirm', 'picker', 'filter'];
	for (const scope of scopes) {
		const seen = new Map<string, string>();
		for (const binding of keymap.filter((entry) => entry.scope === scope)) {
			for (const spec of binding.keys) {
				assert.equal(
					seen.get(spec),
					undefined,
					`${scope}: ${spec} is bound to ${seen.get(spec)} and ${binding.command}`,
				);
				seen.set(spec, binding.command);
			}
		}
	}
});

test('the main keys map to their commands', () => {
	const cases: [string, Partial<Key>, string | undefined][] = [
		['', {upArrow: true}, 'up'],
		['k', {}, 'up'],
		['', {downArrow: true}, 'down'],
		['j', {}, 'down'],
		['p', {}, 'pin'],
		['d', {}, 'drain'],
		['e', {}, 'evict'],
		['r', {}, 'restore'],
		['K', {shift: true}, 'kick'],
		['u', {}, 'refresh'],
		['U', {shift: true}, 'refreshAll'],
		['s', {}, 'strategy'],
		['', {tab: true}, 'nextPanel'],
		['', {tab: true, shift: true}, 'previousPanel'],
		['/', {}, 'filter'],
		['t', {}, 'timeline'],
		['?', {}, 'help'],
		['q', {}, 'quit'],
		['x', {}, undefined],
		['p', {ctrl: true}, undefined],
	];
	for (const [input, flags, expected] of cases) {
		assert.equal(
			commandFor('main', input, key(flags)),
			expected,
			`${JSON.stringify(input)} ${JSON.stringify(flags)}`,
		);
	}
});

test('modal scopes have their own keys', () => {
	assert.equal(commandFor('confirm', 'y', plainKey), 'yes');
	assert.equal(commandFor('confirm', 'n', plainKey), 'no');
	assert.equal(commandFor('confirm', '', key({escape: true})), 'no');
	assert.equal(commandFor('confirm', 'p', plainKey), undefined);
	assert.equal(commandFor('picker', '', key({return: true})), 'choose');
	assert.equal(commandFor('filter', '', key({delete: true})), 'erase');
	assert.equal(commandFor('filter', 'q', plainKey), undefined);
});

test('named keys match only their flags', () => {
	assert.equal(keyMatches('tab', '', key({tab: true, shift: true})), false);
	assert.equal(keyMatches('backspace', '', key({backspace: true})), true);
	assert.equal(keyMatches('pagedown', '', key({pageDown: true})), true);
	assert.equal(keyMatches('K', 'k', plainKey), false);
});

test('the footer comes from the table', () => {
	const labels = footerEntries().map((entry) => `${entry.keys} ${entry.label}`);
	assert.deepEqual(labels, [
		'↑↓jk select',
		'p pin',
		'd drain',
		'e evict',
		'r restore',
		'K kick',
		's strategy',
		'Tab panel',
		'/ filter',
		't 5h/7d',
		'? help',
		'q quit',
	]);
	assert.equal(keyLabel('shift+tab'), 'Shift-Tab');
	assert.equal(keyLabel('p'), 'p');
});

test('the readme lists every key of the main keymap', () => {
	const readme = readFileSync(new URL('../../readme.md', import.meta.url), 'utf8');
	const section = readme.split('## The control center')[1]?.split('\n## ')[0] ?? '';
	const keyCells = section
		.split('\n')
		.filter((line) => line.startsWith('| ') && !line.startsWith('| key') && !line.startsWith('|---'))
		.map((line) => line.split('|')[1]?.trim() ?? '');
	assert.ok(keyCells.length > 0, 'the readme has a key table under "## The control center"');
	for (const binding of keymap.filter((entry) => entry.scope === 'main')) {
		for (const spec of binding.keys) {
			const label = keyLabel(spec);
			assert.ok(
				keyCells.some((cell) => cell === label || cell.split(/\s+\/?\s*|\s+or\s+/).includes(label)),
				`${binding.command}: key ${label} is missing from the readme table`,
			);
		}
	}
});

test('a narrow footer keeps help and quit and drops from the middle', () => {
	const entries = footerEntries();
	const width = (list: readonly {keys: string; label: string}[]) =>
		list.map((entry) => `${entry.keys} ${entry.label}`).join('  ').length;
	for (const columns of [40, 80, 100, 120, 200]) {
		const shown = fittingEntries(entries, columns);
		assert.ok(width(shown) <= columns, `${columns}: ${width(shown)}`);
		assert.deepEqual(
			shown.slice(-2).map((entry) => entry.label),
			['help', 'quit'],
		);
	}
	assert.equal(fittingEntries(entries, 200).length, entries.length);
	assert.deepEqual(
		fittingEntries(entries, 100).map((entry) => entry.label),
		['select', 'pin', 'drain', 'evict', 'restore', 'kick', 'strategy', 'panel', 'help', 'quit'],
	);
});

test('a run of keys splits into single keys, except while typing', () => {
	const split = splitKeys('jK\t\r\u007F', plainKey, false).map(([input, key]) => ({
		input,
		tab: key.tab,
		return: key.return,
		backspace: key.backspace,
		shift: key.shift,
	}));
	assert.deepEqual(split, [
		{input: 'j', tab: false, return: false, backspace: false, shift: false},
		{input: 'K', tab: false, return: false, backspace: false, shift: true},
		{input: '', tab: true, return: false, backspace: false, shift: false},
		{input: '', tab: false, return: true, backspace: false, shift: false},
		{input: '', tab: false, return: false, backspace: true, shift: false},
	]);
	assert.deepEqual(splitKeys('bob', plainKey, true), [['bob', plainKey]]);
	assert.deepEqual(splitKeys('p', plainKey, false), [['p', plainKey]]);
});
