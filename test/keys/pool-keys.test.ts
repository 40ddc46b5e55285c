import assert from 'node:assert/strict';
import {test} from 'node:test';
import {createManualClock} from '../../source/core/clock.ts';
import {
	createMemoryKeyStorage,
	createPoolKeys,
	hashKey,
	PoolKeyError,
} from '../../source/core/keys/pool-keys.ts';

test('a created key is cxp_ plus 32 random bytes in base64url, stored only as its hash and prefix', () => {
	const storage = createMemoryKeyStorage();
	const keys = createPoolKeys(storage, {clock: createManualClock(1000)});
	const {key, record} = keys.create('laptop');
	assert.match(key, /^cxp_[A-Za-z0-9_-]{43}$/);
	assert.equal(Buffer.from(key.slice(4), 'base64url').length, 32);
	assert.equal(record.hash, hashKey(key));
	assert.equal(record.prefix, key.slice(0, 12));
	assert.equal(record.name, 'laptop');
	assert.equal(record.createdAt, 1000);
	assert.equal(record.lastUsedAt, undefined);
	assert.equal(JSON.stringify(storage.getKeys()).includes(key), false);
	assert.notEqual(keys.create('other').key, key);
});

test('verify accepts the key, refuses others, and records the last use at most once a minute', () => {
	const clock = createManualClock(0);
	const storage = createMemoryKeyStorage();
	const keys = createPoolKeys(storage, {clock});
	const first = keys.create('a');
	const second = keys.create('b');
	clock.set(5000);
	assert.equal(keys.verify(second.key)?.id, second.record.id);
	assert.equal(keys.verify(first.key)?.id, first.record.id);
	assert.equal(keys.verify(`${first.key}x`), undefined);
	assert.equal(keys.verify(first.record.prefix), undefined);
	assert.equal(keys.verify(''), undefined);
	assert.equal(keys.list().find((record) => record.id === first.record.id)?.lastUsedAt, 5000);
	clock.set(30_000);
	keys.verify(first.key);
	assert.equal(keys.list().find((record) => record.id === first.record.id)?.lastUsedAt, 5000);
	clock.set(70_000);
	keys.verify(first.key);
	assert.equal(keys.list().find((record) => record.id === first.record.id)?.lastUsedAt, 70_000);
});

test('verify compares against every record, even malformed ones, without stopping at a match', () => {
	const storage = createMemoryKeyStorage();
	const keys = createPoolKeys(storage);
	const {key} = keys.create('a');
	let reads = 0;
	// lastUsedAt is current, so verify writes nothing and only the comparison loop reads hashes.
	const good = {...storage.getKeys()[0]!, lastUsedAt: 0};
	const records = [good, {...good, id: 'key_bad', name: 'bad', hash: 'zz'}];
	const counting = createPoolKeys(
		{
			getKeys: () =>
				records.map((record) => {
					return new Proxy(record, {
						get(target, property) {
							if (property === 'hash') {
								reads++;
							}

							return Reflect.get(target, property);
						},
					});
				}),
			setKeys: () => {},
		},
		{clock: createManualClock(0)},
	);
	assert.ok(counting.verify(key));
	assert.equal(reads, 2);
});

test('names are unique; unnamed keys get key-N', () => {
	const keys = createPoolKeys(createMemoryKeyStorage());
	assert.equal(keys.create().record.name, 'key-1');
	assert.equal(keys.create('').record.name, 'key-2');
	keys.create('ci');
	assert.throws(() => keys.create('ci'), PoolKeyError);
});

test('revoke by id or by name; the key stops working; unknown names list the keys', () => {
	const keys = createPoolKeys(createMemoryKeyStorage());
	const a = keys.create('a');
	const b = keys.create('b');
	assert.equal(keys.revoke(a.record.id).name, 'a');
	assert.equal(keys.verify(a.key), undefined);
	assert.equal(keys.revoke('b').id, b.record.id);
	assert.equal(keys.list().length, 0);
	assert.throws(() => keys.revoke('nope'), /No pool key has the id or name "nope"/);
});
