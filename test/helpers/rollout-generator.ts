import fs from 'node:fs';
import path from 'node:path';
import {createRandom} from '../../source/core/random.ts';
import type {WindowCost} from '../../source/core/replay/types.ts';

/*
Writes a Codex home of synthetic rollouts (shared/codex-rollouts.md, 0.171 shapes) from a known truth: one user
works through sessions of turns and tool rounds on one account whose windows charge a known cost per token; the
rate-limit readings show the quota before each request (two decimals, as over HTTP); a request that finds a
window at 100% fails its turn with usage_limit_exceeded, and the user comes back a minute after the reset.
Used by the replay tests (ground truth) and bench/replay.ts (volume: `padding` bytes of content per item).
*/

export type GeneratorOptions = {
	readonly home: string;
	/** First day, 00:00 UTC (ms). */
	readonly start: number;
	readonly days: number;
	readonly seed?: number;
	/** Sessions a day (workday hours 09-18, every day alike). */
	readonly sessionsPerDay?: number;
	readonly cost?: {readonly fiveHour: WindowCost; readonly weekly: WindowCost};
	readonly account?: string;
	readonly plan?: string;
	/** Text put into every message (tests look for it in the output). */
	readonly marker?: string;
	/** Extra content bytes per conversation item (bench volume). */
	readonly padding?: number;
	/** Write the files of sessions older than this many days as archived `.jsonl.zst` (needs `compress`). */
	readonly compress?: (file: string) => void;
	readonly archiveOlderThanDays?: number;
};

export type GroundTruth = {
	sessions: number;
	requests: number;
	tokens: {input: number; cachedInput: number; output: number; reasoningOutput: number};
	limitHits: number;
	waitHours: number;
	bytes: number;
	files: number;
};

export const TRUE_COST = {
	fiveHour: {uncachedInput: 4e-4, cachedInput: 4e-5, output: 3.2e-3},
	weekly: {uncachedInput: 2.5e-5, cachedInput: 2.5e-6, output: 2e-4},
} as const;

const HOUR = 3_600_000;
const FIVE_HOURS = 5 * HOUR;
const WEEK = 168 * HOUR;

function uuidV7(ms: number, random: () => number): string {
	const hex = ms.toString(16).padStart(12, '0');
	const rand = (digits: number) =>
		Array.from({length: digits}, () => Math.floor(random() * 16).toString(16)).join('');
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${rand(3)}-8${rand(3)}-${rand(12)}`;
}

export function generateHistory(options: GeneratorOptions): GroundTruth {
	const random = createRandom(options.seed ?? 1, 0);
	const cost = options.cost ?? TRUE_COST;
	const account = options.account ?? '11111111-aaaa-4aaa-8aaa-111111111111';
	const plan = options.plan ?? 'plus';
	const marker = options.marker ?? 'conversation text';
	const pad = 'x'.repeat(options.padding ?? 200);
	const truth: GroundTruth = {
		sessions: 0,
		requests: 0,
		tokens: {input: 0, cachedInput: 0, output: 0, reasoningOutput: 0},
		limitHits: 0,
		waitHours: 0,
		bytes: 0,
		files: 0,
	};
	const state = {used5: 0, reset5: Number.NaN, usedW: 0, resetW: Number.NaN};
	const settle = (t: number) => {
		if (t >= state.reset5) {
			state.used5 = 0;
			state.reset5 = Number.NaN;
		}

		if (t >= state.resetW) {
			state.usedW = 0;
			state.resetW = Number.NaN;
		}
	};

	const rateLimits = (t: number) => ({
		limit_id: 'codex',
		limit_name: null,
		primary: {
			used_percent: Math.min(100, Math.round(state.used5 * 100) / 100),
			window_minutes: 300,
			resets_at: Math.floor((Number.isNaN(state.reset5) ? t + FIVE_HOURS : state.reset5) / 1000),
		},
		secondary: {
			used_percent: Math.min(100, Math.round(state.usedW * 100) / 100),
			window_minutes: 10_080,
			resets_at: Math.floor((Number.isNaN(state.resetW) ? t + WEEK : state.resetW) / 1000),
		},
		credits: null,
		plan_type: plan,
	});

	let now = options.start;
	const perDay = options.sessionsPerDay ?? 4;
	for (let day = 0; day < options.days; day++) {
		for (let k = 0; k < perDay; k++) {
			const planned = options.start + day * 24 * HOUR + 9 * HOUR + Math.floor(random() * 9 * HOUR);
			now = Math.max(now, planned);
			const sessionStart = now;
			const id = uuidV7(sessionStart, random);
			const lines: string[] = [];
			const line = (t: number, type: string, payload: unknown) =>
				lines.push(
					JSON.stringify({timestamp: new Date(t).toISOString(), ordinal: lines.length, type, payload}),
				);
			line(sessionStart, 'session_meta', {
				id,
				timestamp: new Date(sessionStart).toISOString(),
				cwd: '/home/user/project',
				originator: 'codex_exec',
				cli_version: '0.171.0',
				source: 'exec',
				model_provider: 'openai',
				creator_account_id: account,
				history_mode: 'paginated',
				base_instructions: {text: `You are Codex. ${pad}`},
			});
			truth.sessions++;
			let context = 0;
			const turns = 2 + Math.floor(random() * 5);
			for (let turn = 0; turn < turns; turn++) {
				let done = false;
				while (!done) {
					const turnStart = now;
					const turnId = uuidV7(turnStart, random);
					line(turnStart, 'event_msg', {
						type: 'task_started',
						turn_id: turnId,
						started_at: Math.floor(turnStart / 1000),
						model_context_window: 258_400,
					});
					line(turnStart, 'turn_context', {
						turn_id: turnId,
						model: 'gpt-5.5-codex',
						cwd: '/home/user/project',
						summary: 'auto',
					});
					line(turnStart, 'response_item', {
						type: 'message',
						role: 'user',
						content: [{type: 'input_text', text: `${marker} ${pad}`}],
					});
					line(turnStart, 'event_msg', {type: 'user_message', message: marker});
					const requests = 1 + Math.floor(random() * 4);
					let t = turnStart;
					let failed = false;
					for (let r = 0; r < requests; r++) {
						t += 5_000 + Math.floor(random() * 40_000);
						settle(t);
						if (state.used5 >= 100 || state.usedW >= 100) {
							line(t, 'event_msg', {type: 'token_count', info: null, rate_limits: rateLimits(t)});
							line(t, 'event_msg', {
								type: 'task_complete',
								turn_id: turnId,
								last_agent_message: null,
								error: {
									message: `You've hit your usage limit. ${marker}`,
									codex_error_info: 'usage_limit_exceeded',
								},
								started_at: Math.floor(turnStart / 1000),
								completed_at: Math.floor(t / 1000),
							});
							const binding = Math.max(
								state.used5 >= 100 ? state.reset5 : 0,
								state.usedW >= 100 ? state.resetW : 0,
							);
							const back = binding + 60_000;
							truth.limitHits++;
							truth.waitHours += (back - t) / HOUR;
							now = back;
							failed = true;
							break;
						}

						const uncached = 500 + Math.floor(random() * 5500);
						const cached = Math.min(context, Math.floor(random() * 60_000));
						const output = 100 + Math.floor(random() * 2400);
						const reasoning = Math.floor(output * random() * 0.5);
						const input = uncached + cached;
						context += uncached;
						const readings = rateLimits(t);
						if (Number.isNaN(state.reset5)) state.reset5 = t + FIVE_HOURS;
						if (Number.isNaN(state.resetW)) state.resetW = t + WEEK;
						state.used5 +=
							cost.fiveHour.uncachedInput * uncached +
							cost.fiveHour.cachedInput * cached +
							cost.fiveHour.output * output;
						state.usedW +=
							cost.weekly.uncachedInput * uncached +
							cost.weekly.cachedInput * cached +
							cost.weekly.output * output;
						const usage = {
							input_tokens: input,
							cached_input_tokens: cached,
							cache_write_input_tokens: 0,
							output_tokens: output,
							reasoning_output_tokens: reasoning,
							total_tokens: input + output,
						};
						line(t, 'response_item', {type: 'reasoning', summary: [], encrypted_content: pad});
						if (r < requests - 1)
							line(t, 'response_item', {
								type: 'function_call',
								name: 'shell',
								arguments: `{"cmd":"ls ${marker}"}`,
								call_id: `call_${r}`,
							});
						line(t, 'token_usage_record', {
							thread_id: id,
							turn_id: turnId,
							response_id: `resp_${id}_${turn}_${r}_${t}`,
							usage,
							turn_token_usage: usage,
							thread_token_usage: usage,
						});
						line(t, 'event_msg', {
							type: 'token_count',
							info: {total_token_usage: usage, last_token_usage: usage, model_context_window: 258_400},
							rate_limits: readings,
						});
						if (r < requests - 1)
							line(t + 1000, 'response_item', {
								type: 'function_call_output',
								call_id: `call_${r}`,
								output: `${marker} ${pad}`,
							});
						truth.requests++;
						truth.tokens.input += input;
						truth.tokens.cachedInput += cached;
						truth.tokens.output += output;
						truth.tokens.reasoningOutput += reasoning;
					}

					if (!failed) {
						line(t, 'response_item', {
							type: 'message',
							role: 'assistant',
							content: [{type: 'output_text', text: `${marker} ${pad}`}],
						});
						line(t, 'event_msg', {
							type: 'task_complete',
							turn_id: turnId,
							last_agent_message: marker,
							started_at: Math.floor(turnStart / 1000),
							completed_at: Math.floor(t / 1000),
							duration_ms: t - turnStart,
						});
						now = t + 30_000 + Math.floor(random() * 300_000);
						done = true;
					}
				}
			}

			truth.bytes += writeSession(options, sessionStart, now, id, `${lines.join('\n')}\n`);
			truth.files++;
		}
	}

	return truth;
}

/** Writes one session's file, last modified at `end` (as Codex leaves it: replay skips files older than --days). */
function writeSession(
	options: GeneratorOptions,
	start: number,
	end: number,
	id: string,
	text: string,
): number {
	const stamp = new Date(start).toISOString().slice(0, 19).replaceAll(':', '-');
	const name = `rollout-${stamp}-${id}.jsonl`;
	const age = (Date.now() - start) / 86_400_000;
	if (options.compress !== undefined && age > (options.archiveOlderThanDays ?? Number.POSITIVE_INFINITY)) {
		const folder = path.join(options.home, 'archived_sessions');
		fs.mkdirSync(folder, {recursive: true});
		const file = path.join(folder, name);
		fs.writeFileSync(file, text);
		options.compress(file);
		fs.utimesSync(`${file}.zst`, new Date(end), new Date(end));
		return Buffer.byteLength(text);
	}

	const folder = path.join(
		options.home,
		'sessions',
		stamp.slice(0, 4),
		stamp.slice(5, 7),
		stamp.slice(8, 10),
	);
	fs.mkdirSync(folder, {recursive: true});
	fs.writeFileSync(path.join(folder, name), text);
	fs.utimesSync(path.join(folder, name), new Date(end), new Date(end));
	return Buffer.byteLength(text);
}
