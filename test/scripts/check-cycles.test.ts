import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import {fileURLToPath} from 'node:url';
import {tempDir} from '../store/fixtures.ts';

const script = fileURLToPath(new URL('../../scripts/check-cycles.js', import.meta.url));
const source = fileURLToPath(new URL('../../source', import.meta.url));

const check = (root: string) => spawnSync(process.execPath, [script, root], {encoding: 'utf8'});

function writeTree(files: Record<string, string>): string {
	const root = tempDir('codexpool-cycles-');
	for (const [name, text] of Object.entries(files)) {
		fs.mkdirSync(path.dirname(path.join(root, name)), {recursive: true});
		fs.writeFileSync(path.join(root, name), text);
	}

	return root;
}

test('source/ has no import cycle, type imports included', () => {
	const result = check(source);
	assert.equal(result.status, 0, result.stderr);
});

test('a cycle made only of type imports and re-exports is found and named', () => {
	const root = writeTree({
		'contract.ts': "import type {Kick} from './kicks/types.ts';\nexport type Plan = {kicks: Kick[]};\n",
		'kicks/types.ts': "export type {Kick} from './kick.ts';\n",
		'kicks/kick.ts': "import type {Plan} from '../contract.ts';\nexport type Kick = {plan?: Plan};\n",
		'leaf.ts': "import type {Plan} from './contract.ts';\nexport const plans: Plan[] = [];\n",
	});
	const result = check(root);
	assert.equal(result.status, 1);
	assert.match(result.stderr, /1 import cycle under/);
	assert.match(result.stderr, /contract\.ts → kicks\/types\.ts → kicks\/kick\.ts → contract\.ts/);
	assert.doesNotMatch(result.stderr, /leaf\.ts/);
});

test('a lazy import() closes a cycle too, and two separate cycles are both listed', () => {
	const root = writeTree({
		'a.ts': "export const load = async () => import('./b.tsx');\n",
		'b.tsx': "import {load} from './a.ts';\nexport const b = load;\n",
		'c.ts': "import {d} from './d.ts';\nexport const c = d;\n",
		'd.ts': "import {c} from './c.ts';\nexport const d = () => c;\n",
	});
	const result = check(root);
	assert.equal(result.status, 1);
	assert.match(result.stderr, /2 import cycles under/);
	assert.match(result.stderr, /a\.ts → b\.tsx → a\.ts/);
	assert.match(result.stderr, /c\.ts → d\.ts → c\.ts/);
});
