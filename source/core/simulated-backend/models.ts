/**
The `/codex/models` list. Every entry carries every field Codex CLI 0.171 requires (codex-cli-observed.md §6:
one bad entry makes Codex drop the whole list), with enum values copied from the catalog bundled in the
Codex 0.171 binary (`shell_type: shell_command`, `truncation_policy.mode: tokens`, `visibility: list|hide`,
efforts low|medium|high|xhigh).
*/

const REASONING_LEVELS = [
	{effort: 'low', description: 'Fast responses with lighter reasoning'},
	{effort: 'medium', description: 'Balances speed and reasoning depth for everyday tasks'},
	{effort: 'high', description: 'Greater reasoning depth for complex problems'},
	{effort: 'xhigh', description: 'Extra high reasoning depth for complex problems'},
];

const INSTRUCTIONS =
	'You are Codex, a coding agent. You and the user share one workspace; help them reach their goal.\n';

function model(slug: string, displayName: string, priority: number, visibility: 'list' | 'hide') {
	return {
		slug,
		display_name: displayName,
		description: `${displayName} (simulated upstream).`,
		default_reasoning_level: 'medium',
		supported_reasoning_levels: REASONING_LEVELS,
		shell_type: 'shell_command',
		visibility,
		minimal_client_version: '0.124.0',
		supported_in_api: true,
		priority,
		availability_nux: null,
		upgrade: null,
		support_verbosity: true,
		default_verbosity: 'low',
		apply_patch_tool_type: 'freeform',
		truncation_policy: {mode: 'tokens', limit: 10_000},
		supports_parallel_tool_calls: true,
		use_responses_lite: false,
		prefer_websockets: false,
		context_window: 272_000,
		max_context_window: 272_000,
		input_modalities: ['text', 'image'],
		experimental_supported_tools: [],
		model_messages: {instructions_template: INSTRUCTIONS},
		supports_reasoning_summaries: true,
		default_reasoning_summary: 'none',
	};
}

/** The list, first and lowest-priority entry being the default model Codex picks. */
export const SIMULATED_MODELS = [
	model('gpt-5.5', 'GPT-5.5', 1, 'list'),
	model('gpt-5.6-sol', 'GPT-5.6 Sol', 2, 'list'),
	model('codex-auto-review', 'Codex Auto Review', 43, 'hide'),
];

export const MODELS_ETAG = '"sim-models-1"';

export function modelsBody() {
	return {models: SIMULATED_MODELS};
}
