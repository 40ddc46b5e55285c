import assert from 'node:assert/strict';
import {test} from 'node:test';
import {command} from '../../source/commands/simulate.ts';
import {UsageError} from '../../source/commands/types.ts';

async function run(argv: string[]) {
	let stdout = '';
	let stderr = '';
	const code = await command.run(argv, {
		stdout: (text) => {
			stdout += text;
		},
		stderr: (text) => {
			stderr += text;
		},
		env: {},
	});
	return {code, stdout, stderr};
}

const small = ['--days', '3', '--runs', '3', '--threads', '0'];

test('--json prints the documented shape: the default and one cell per value', async () => {
	const {code, stdout} = await run([
		...small,
		'--json',
		'--strategies',
		'ours,round-robin',
		'--scheduler',
		'none,stagger',
		'--rho',
		'0.8,1.0',
		'--movement',
		'both',
	]);
	assert.equal(code, 0);
	const report = JSON.parse(stdout);
	assert.deepEqual(Object.keys(report), ['default', 'cells']);
	// `ours` is phase-fit's former name: accepted, reported by the current name.
	assert.equal(report.default, 'phase-fit');
	assert.equal(report.cells.length, 2 * 2 * 2 * 2);
	const cell = report.cells[0];
	assert.deepEqual(Object.keys(cell), [
		'strategy',
		'movement',
		'scheduler',
		'scenario',
		'pool',
		'cap',
		'rho',
		'mean',
		'accounts',
		'days',
		'runs',
		'interruptions',
		'waitHours',
		'moves',
		'p95PauseHours',
		'wastedShare',
	]);
	assert.deepEqual(
		{...cell, interruptions: 0, waitHours: 0, moves: 0, p95PauseHours: 0, wastedShare: 0},
		{
			strategy: 'phase-fit',
			movement: 'on',
			scheduler: 'none',
			scenario: 'flat',
			pool: 'standard',
			cap: 'none',
			rho: 0.8,
			mean: 0.02,
			accounts: 7,
			days: 3,
			runs: 3,
			interruptions: 0,
			waitHours: 0,
			moves: 0,
			p95PauseHours: 0,
			wastedShare: 0,
		},
	);
	for (const metric of ['interruptions', 'waitHours', 'moves', 'p95PauseHours', 'wastedShare']) {
		assert.deepEqual(Object.keys(cell[metric]), ['mean', 'ci95']);
		assert.equal(typeof cell[metric].mean, 'number');
	}

	const movements = new Set(report.cells.map((each: {movement: string}) => each.movement));
	assert.deepEqual([...movements].sort(), ['off', 'on']);
});

test('the table marks the best value of each column', async () => {
	const {code, stdout} = await run([
		...small,
		'--strategies',
		'phase-fit,fill-first',
		'--scheduler',
		'stagger',
		'--rho',
		'1.2',
	]);
	assert.equal(code, 0);
	assert.match(stdout, /flat, rho 1.2, mean 0.02, 7 accounts, 3 days/);
	assert.match(stdout, /interruptions/);
	assert.match(stdout, /\*/);
});

test('bad option values are usage errors that say what to type', async () => {
	await assert.rejects(run(['--runs', 'lots']), (error: Error) => {
		assert.ok(error instanceof UsageError);
		assert.match(error.message, /--runs "lots" is not a whole number/);
		return true;
	});
	await assert.rejects(run(['--strategies', 'best']), /unknown "best". Choose from: phase-fit,/);
	await assert.rejects(run(['--movement', 'sometimes']), /--movement: unknown "sometimes"/);
	await assert.rejects(run(['--rho', '0.8,,1']), /empty item/);
	await assert.rejects(run(['--scenario', 'weekend']), UsageError);
	await assert.rejects(run(['--bogus']), /Unknown option --bogus/);
	await assert.rejects(run(['--cap', '120']), /--cap "120" is not a cap/);
	await assert.rejects(run(['--cap', '90/80/70']), /--cap "90\/80\/70" is not a cap/);
	await assert.rejects(run(['--pool', 'monthly']), /--pool: unknown "monthly"/);
	await assert.rejects(run(['--account-caps', 'a9=90']), /a1 to a7/);
});

test('--pool and --cap make one cell per value, named in the JSON and in the table', async () => {
	const {stdout} = await run([
		...small,
		'--json',
		'--strategies',
		'phase-fit',
		'--scheduler',
		'rotate-restart',
		'--pool',
		'standard,weekly-only,mixed',
		'--cap',
		'100,90/80',
		'--account-caps',
		'a1=70',
	]);
	const cells = JSON.parse(stdout).cells as {pool: string; cap: string; accountCaps: unknown}[];
	assert.deepEqual(
		cells.map((cell) => `${cell.pool} ${cell.cap}`),
		['standard 100', 'standard 90/80', 'weekly-only 100', 'weekly-only 90/80', 'mixed 100', 'mixed 90/80'],
	);
	assert.deepEqual(cells[0]!.accountCaps, [['a1', '70']]);
	const table = await run([
		...small,
		'--strategies',
		'phase-fit',
		'--scheduler',
		'rotate-restart',
		'--pool',
		'weekly-only',
		'--cap',
		'90',
	]);
	assert.match(table.stdout, /flat, weekly-only pool, cap 90, rho 1, mean 0.02/);
});

test('workers give the same numbers as the main thread', async () => {
	const args = [
		'--json',
		'--days',
		'3',
		'--runs',
		'4',
		'--strategies',
		'capacity-weighted',
		'--scheduler',
		'stagger',
	];
	const inline = JSON.parse((await run([...args, '--threads', '0'])).stdout);
	const threaded = JSON.parse((await run([...args, '--threads', '2'])).stdout);
	assert.deepEqual(threaded, inline);
});
