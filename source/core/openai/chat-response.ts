/** Chat `usage` from Responses `usage` (input/output → prompt/completion, with cached and reasoning tokens). */
export function chatUsage(usage: unknown): Record<string, unknown> | undefined {
	if (typeof usage !== 'object' || usage === null) {
		return undefined;
	}

	const record = usage as {
		input_tokens?: number;
		output_tokens?: number;
		total_tokens?: number;
		input_tokens_details?: {cached_tokens?: number};
		output_tokens_details?: {reasoning_tokens?: number};
	};
	const prompt = record.input_tokens ?? 0;
	const completion = record.output_tokens ?? 0;
	return {
		prompt_tokens: prompt,
		completion_tokens: completion,
		total_tokens: record.total_tokens ?? prompt + completion,
		prompt_tokens_details: {cached_tokens: record.input_tokens_details?.cached_tokens ?? 0},
		completion_tokens_details: {reasoning_tokens: record.output_tokens_details?.reasoning_tokens ?? 0},
	};
}

/** The chat `finish_reason` for a finished response: tool calls, a hit limit, a filter, or a plain stop. */
export function finishReason(response: Record<string, unknown>, hasToolCalls: boolean): string {
	if (response.status === 'incomplete') {
		const reason = (response.incomplete_details as {reason?: unknown} | undefined)?.reason;
		return reason === 'content_filter' ? 'content_filter' : 'length';
	}

	return hasToolCalls ? 'tool_calls' : 'stop';
}

/** `chatcmpl-…` from the upstream response id, so a chat answer can be traced to its response. */
export function chatId(responseId: unknown): string {
	return typeof responseId === 'string' && responseId !== ''
		? `chatcmpl-${responseId.replace(/^resp_/, '')}`
		: 'chatcmpl-pool';
}

/**
One `chat.completion` from an assembled Response: the assistant text of its message items, its refusals,
its function calls as `tool_calls` (in output order), `finish_reason` and `usage`. Reasoning items are not
part of the chat shape and are left out.
*/
export function responseToChatCompletion(
	response: Record<string, unknown>,
	fallbackModel: string,
	now: number,
): Record<string, unknown> {
	const output = Array.isArray(response.output) ? (response.output as Array<Record<string, unknown>>) : [];
	let text = '';
	let refusal = '';
	const toolCalls: unknown[] = [];
	for (const item of output) {
		if (item.type === 'message' && Array.isArray(item.content)) {
			for (const part of item.content as Array<Record<string, unknown>>) {
				if (part.type === 'output_text' && typeof part.text === 'string') {
					text += part.text;
				} else if (part.type === 'refusal' && typeof part.refusal === 'string') {
					refusal += part.refusal;
				}
			}
		} else if (item.type === 'function_call') {
			toolCalls.push({
				id: item.call_id,
				type: 'function',
				function: {name: item.name, arguments: typeof item.arguments === 'string' ? item.arguments : ''},
			});
		}
	}

	const message: Record<string, unknown> = {
		role: 'assistant',
		content: text === '' && (toolCalls.length > 0 || refusal !== '') ? null : text,
		refusal: refusal === '' ? null : refusal,
		annotations: [],
	};
	if (toolCalls.length > 0) {
		message.tool_calls = toolCalls;
	}

	const completion: Record<string, unknown> = {
		id: chatId(response.id),
		object: 'chat.completion',
		created: typeof response.created_at === 'number' ? response.created_at : Math.floor(now / 1000),
		model: typeof response.model === 'string' ? response.model : fallbackModel,
		choices: [
			{index: 0, message, logprobs: null, finish_reason: finishReason(response, toolCalls.length > 0)},
		],
	};
	const usage = chatUsage(response.usage);
	if (usage !== undefined) {
		completion.usage = usage;
	}

	return completion;
}
