import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {collect} from '../../source/core/replay/collect.ts';
import {type LineDecision, LineSplitter} from '../../source/core/replay/line-reader.ts';
import {findRolloutFiles} from '../../source/core/replay/rollout-files.ts';
import {tempDir} from '../store/fixtures.ts';

const fixtures = path.join(import.meta.dirname, '..', 'fixtures', 'rollouts');
const toolCalls = fs.readFileSync(path.join(fixtures, 'codex-0.169-exec-tool-calls.jsonl'), 'utf8');
const ID = '01a24ce8-5e64-7803-b9c5-5682abc3e7cb';

function homeWith(files: Record<string, string | Buffer>): string {
	const home = tempDir('codexpool-replay-bad-');
	for (const [name, text] of Object.entries(files)) {
		const file = path.join(home, name);
		fs.mkdirSync(path.dirname(file), {recursive: true});
		fs.writeFileSync(file, text);
	}

	return home;
}

const read = async (home: string) => collect({codexHomes: [home], poolHistory: undefined, since: 0});

describe('replay reads damaged rollouts without failing', () => {
	it('a killed Codex: the truncated last line is counted and skipped, everything before it is read', async () => {
		const lines = toolCalls.trimEnd().split('\n');
		// Cut the file in the middle of its last token_usage_record, as a SIGKILL during a write would.
		const lastRecord = lines.findLastIndex((line) => line.includes('"token_usage_record"'));
		const truncated = `${lines.slice(0, lastRecord).join('\n')}\n${lines[lastRecord]!.slice(0, 200)}`;
		const collected = await read(
			homeWith({[`sessions/2026/12/06/rollout-2026-12-06T19-50-26-${ID}.jsonl`]: truncated}),
		);
		assert.equal(collected.requests.length, 2);
		assert.equal(collected.malformedLines, 1);
	});

	it('a truncated conversation item (skipped unread) is still counted as malformed', async () => {
		const lines = toolCalls.trimEnd().split('\n');
		const item = lines.findIndex((line) => line.includes('"type":"response_item"'));
		lines[item] = lines[item]!.slice(0, lines[item]!.length - 20);
		const collected = await read(
			homeWith({[`sessions/2026/12/06/rollout-2026-12-06T19-50-26-${ID}.jsonl`]: `${lines.join('\n')}\n`}),
		);
		assert.equal(collected.requests.length, 3);
		assert.equal(collected.malformedLines, 1);
	});

	it('garbage, unknown line types and broken payloads are counted, the rest is read', async () => {
		const extra = [
			'not json at all',
			'{"timestamp":"2026-12-06T19:50:28.000Z","type":"from_a_future_codex","payload":{"x":1}}',
			'{"timestamp":"2026-12-06T19:50:28.000Z","type":"token_usage_record","payload":{"usage":"nope"}}',
			'{"timestamp":"not a time","type":"event_msg","payload":{"type":"token_count"}}',
			'',
			'\u0000\u0001binary',
		].join('\n');
		const collected = await read(
			homeWith({[`sessions/2026/12/06/rollout-2026-12-06T19-50-26-${ID}.jsonl`]: `${toolCalls}${extra}\n`}),
		);
		assert.equal(collected.requests.length, 3);
		assert.equal(collected.unknownLines, 1);
		assert.equal(collected.malformedLines, 4);
	});

	it('an empty file and a file of only garbage', async () => {
		const collected = await read(
			homeWith({
				'sessions/2026/12/06/rollout-2026-12-06T19-50-26-01a24ce8-0000-7000-8000-000000000001.jsonl': '',
				'sessions/2026/12/06/rollout-2026-12-06T19-50-26-01a24ce8-0000-7000-8000-000000000002.jsonl':
					'{{{{\n',
			}),
		);
		assert.equal(collected.files, 2);
		assert.equal(collected.requests.length, 0);
		assert.equal(collected.malformedLines, 1);
	});
});

describe('archived .jsonl.zst rollouts', () => {
	const zstd = (() => {
		try {
			execFileSync('zstd', ['--version'], {stdio: 'ignore'});
			return true;
		} catch {
			return false;
		}
	})();

	it('reads a zstd-compressed rollout as the plain one, and a plain file beside its .zst wins', {
		skip: zstd ? false : 'the zstd command is not installed (.ci/run installs it)',
	}, async () => {
		const name = `rollout-2026-12-06T19-50-26-${ID}.jsonl`;
		const home = homeWith({[`archived_sessions/${name}`]: toolCalls});
		execFileSync('zstd', ['-q', '--rm', path.join(home, 'archived_sessions', name)]);
		assert.deepEqual(await findRolloutFiles(home, 0), [path.join(home, 'archived_sessions', `${name}.zst`)]);
		const compressed = await read(home);
		const plain = await read(homeWith({[`sessions/2026/12/06/${name}`]: toolCalls}));
		assert.deepEqual(compressed.requests.toArray(), plain.requests.toArray());
		assert.deepEqual(compressed.readings.toArray(), plain.readings.toArray());
		assert.equal(compressed.malformedLines, 0);
		// Codex leaves the plain file when both exist; so do we.
		fs.writeFileSync(path.join(home, 'archived_sessions', name), toolCalls);
		assert.deepEqual(await findRolloutFiles(home, 0), [path.join(home, 'archived_sessions', name)]);
	});
});

describe('the line splitter', () => {
	it('gives the same lines whatever the chunk boundaries, and never joins a skipped line', () => {
		const text = Buffer.from(
			`{"type":"keep","a":1}\n{"type":"skip","b":"${'y'.repeat(5000)}"}\n{"type":"keep","c":2}\npartial`,
		);
		for (const size of [1, 7, 160, 161, 4096, text.length]) {
			const kept: string[] = [];
			const skipped: boolean[] = [];
			let largestKept = 0;
			const splitter = new LineSplitter({
				decide: (prefix): LineDecision => (prefix.toString().includes('"skip"') ? 'skip' : 'keep'),
				line(line, complete) {
					largestKept = Math.max(largestKept, line.length);
					kept.push(`${line.toString()}${complete ? '' : ' (incomplete)'}`);
				},
				skipped: (wellFormed) => skipped.push(wellFormed),
			});
			for (let at = 0; at < text.length; at += size) splitter.push(text.subarray(at, at + size));
			splitter.end();
			assert.deepEqual(
				kept,
				['{"type":"keep","a":1}', '{"type":"keep","c":2}', 'partial (incomplete)'],
				`chunks of ${size}`,
			);
			assert.deepEqual(skipped, [true]);
			assert.ok(largestKept < 100);
		}
	});
});
