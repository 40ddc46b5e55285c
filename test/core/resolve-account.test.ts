import assert from 'node:assert/strict';
import {test} from 'node:test';
import {AccountNameError, resolveAccount} from '../../source/core/accounts/resolve.ts';

const accounts = [
	{id: 'acc-1111', name: 'work', email: 'me@work.example'},
	{id: 'acc-2222', name: 'personal', email: 'me@home.example'},
	{id: 'acc-3333', name: 'personal-2', email: 'other@home.example'},
];

const cases: Array<[string, string]> = [
	['work', 'acc-1111'],
	['WORK', 'acc-1111'],
	['me@home.example', 'acc-2222'],
	['personal', 'acc-2222'],
	['acc-3', 'acc-3333'],
	['other', 'acc-3333'],
	['wo', 'acc-1111'],
];

for (const [query, id] of cases) {
	test(`"${query}" names ${id}`, () => {
		assert.equal(resolveAccount(query, accounts).id, id);
	});
}

test('an ambiguous prefix lists the candidates', () => {
	assert.throws(
		() => resolveAccount('pers', accounts),
		(error: Error) => {
			assert.ok(error instanceof AccountNameError);
			assert.match(error.message, /matches 2 accounts: personal, personal-2/);
			return true;
		},
	);
});

test('an unknown name lists every account', () => {
	assert.throws(
		() => resolveAccount('nobody', accounts),
		/No account matches "nobody". Accounts: work, personal, personal-2/,
	);
});

test('with no accounts the error says how to add one', () => {
	assert.throws(() => resolveAccount('x', []), /codexpool import/);
});
