import type {Random} from '../../source/core/random.ts';

/** One malformed request: what to send, and which kind of malformation it is (for counting). */
export type FuzzCase = {
	readonly kind: FuzzKind;
	readonly method: string;
	readonly path: string;
	readonly headers: Record<string, string>;
	readonly body: Buffer | undefined;
};

export type FuzzKind =
	| 'mutated-json'
	| 'truncated-json'
	| 'random-bytes'
	| 'not-an-object'
	| 'wrong-type'
	| 'wrong-content-type'
	| 'bad-encoding'
	| 'oversized'
	| 'unknown-path'
	| 'wrong-method';

export const FUZZ_KINDS: readonly FuzzKind[] = [
	'mutated-json',
	'truncated-json',
	'random-bytes',
	'not-an-object',
	'wrong-type',
	'wrong-content-type',
	'bad-encoding',
	'oversized',
	'unknown-path',
	'wrong-method',
];

/** The POST routes that take a JSON body, each with a valid body to start from. */
const TARGETS: readonly {path: string; body: Record<string, unknown>}[] = [
	{
		path: '/backend-api/codex/responses',
		body: {
			model: 'gpt-5.5',
			instructions: 'Be brief.',
			stream: true,
			store: false,
			input: [{type: 'message', role: 'user', content: [{type: 'input_text', text: 'hello'}]}],
		},
	},
	{
		path: '/backend-api/codex/responses/compact',
		body: {
			model: 'gpt-5.5',
			input: [{type: 'message', role: 'user', content: [{type: 'input_text', text: 'hello'}]}],
		},
	},
	{
		path: '/v1/chat/completions',
		body: {model: 'gpt-5.5', stream: false, messages: [{role: 'user', content: 'hello'}]},
	},
	{path: '/v1/responses', body: {model: 'gpt-5.5', input: 'hello'}},
];

/** Values of every JSON type, to put where another type belongs. */
const WRONG_VALUES: readonly unknown[] = [
	42,
	-1.5,
	'',
	'text',
	true,
	null,
	[],
	[1, 'two', null],
	{},
	{nested: {deeper: [{}]}},
	'\u0000\u202e',
];

/** Paths the proxy serves for some method: a random path must miss them all. */
const SERVED = /^\/(backend-api\/|v1\/|api\/|healthz$)/;

/**
A seeded generator of malformed requests: valid bodies mutated byte by byte, truncated, replaced by random
bytes, JSON that is not an object, a wrong type in each field, wrong content types and encodings, bodies over
`maxBodyBytes`, unknown paths and methods. `next()` returns one case; the same seed gives the same cases.
*/
export function createFuzzer(random: Random, options: {maxBodyBytes: number}) {
	const int = (n: number) => Math.floor(random() * n);
	const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
	const json = {'content-type': 'application/json'};

	const mutate = (text: string): string => {
		// Mutations until the text no longer parses (a mutation may leave valid JSON, e.g. inside a string).
		let bytes = Buffer.from(text);
		for (let round = 0; round < 50; round++) {
			const at = int(bytes.length);
			const operation = int(3);
			if (operation === 0) {
				bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1 + int(4))]);
			} else if (operation === 1) {
				bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([int(256)]), bytes.subarray(at)]);
			} else {
				bytes = Buffer.from(bytes);
				bytes[at] = pick([0x7b, 0x7d, 0x5b, 0x5d, 0x22, 0x2c, 0x3a, 0x5c, int(256)]);
			}

			try {
				JSON.parse(bytes.toString('utf8'));
			} catch {
				return bytes.toString('latin1');
			}
		}

		return `${text}}`;
	};

	const wrongType = (body: Record<string, unknown>): Record<string, unknown> => {
		const field = pick(Object.keys(body));
		// A value of the field's own type is not a wrong type; nor is null (the OpenAI API reads it as unset), nor
		// any list for `input` (a string or a list of items, even an empty one).
		const legal = (value: unknown) =>
			value === null ||
			(typeof value === typeof body[field] && Array.isArray(value) === Array.isArray(body[field])) ||
			(field === 'input' && Array.isArray(value));
		let value = pick(WRONG_VALUES);
		while (legal(value)) {
			value = pick(WRONG_VALUES);
		}

		return {...body, [field]: value};
	};

	const randomPath = (): string => {
		for (;;) {
			const segments = Array.from({length: 1 + int(4)}, () =>
				pick([
					'backend-api',
					'codex',
					'v1',
					'v2',
					'api',
					'x',
					'..',
					'%2e%2e',
					'responses',
					'admin',
					'a'.repeat(int(300)),
				]),
			);
			const path = `/${segments.join('/')}${random() < 0.2 ? '?q=%00%ff' : ''}`;
			if (!SERVED.test(path)) {
				return path;
			}
		}
	};

	return {
		next(): FuzzCase {
			const kind = pick(FUZZ_KINDS);
			const target = pick(TARGETS);
			const valid = JSON.stringify(target.body);
			const post = (body: string | Buffer, headers: Record<string, string> = json): FuzzCase => ({
				kind,
				method: 'POST',
				path: target.path,
				headers,
				body: typeof body === 'string' ? Buffer.from(body, 'latin1') : body,
			});
			switch (kind) {
				case 'mutated-json':
					return post(mutate(valid));
				case 'truncated-json':
					return post(valid.slice(0, int(valid.length - 1)));
				case 'random-bytes':
					return post(Buffer.from(Array.from({length: 1 + int(512)}, () => int(256))));
				case 'not-an-object':
					return post(pick(['[]', '42', '"text"', 'null', 'true', '[{"model":"gpt-5.5"}]']));
				case 'wrong-type': {
					// The Codex paths pass the upstream's own protocol through (the upstream judges its fields); the /v1
					// routes translate, so they must refuse a wrong type themselves.
					const v1 = pick(TARGETS.filter((candidate) => candidate.path.startsWith('/v1/')));
					return {...post(JSON.stringify(wrongType(v1.body))), path: v1.path};
				}
				case 'wrong-content-type':
					return post(valid, {
						'content-type': pick([
							'text/plain',
							'application/x-www-form-urlencoded',
							'multipart/form-data; boundary=x',
						]),
					});
				case 'bad-encoding':
					return post(pick([valid, 'not zstd at all']), {
						...json,
						'content-encoding': pick(['gzip', 'br', 'zstd', 'compress']),
					});
				case 'oversized':
					return post(
						JSON.stringify({...target.body, padding: 'x'.repeat(options.maxBodyBytes + int(4096))}),
					);
				case 'unknown-path':
					return {
						kind,
						method: pick(['GET', 'POST']),
						path: randomPath(),
						headers: json,
						body: Buffer.from(valid),
					};
				case 'wrong-method':
					return {
						kind,
						method: pick(['PUT', 'DELETE', 'PATCH', 'GET']),
						path: target.path,
						headers: json,
						body: undefined,
					};
				default:
					throw new Error(`unknown fuzz kind ${kind as string}`);
			}
		},
	};
}
