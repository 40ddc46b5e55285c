import {badRequest} from './errors.ts';

/**
One chat message as Responses input items: system and developer messages become developer messages, user
text and images (`input_image`) and inline files stay user content, an assistant message becomes its text
(and refusal) plus one `function_call` item per tool call, and a tool message becomes `function_call_output`.
Anything else (legacy function calling, audio, participant names, unknown roles) is a 400 naming the field.
*/
export function translateMessage(raw: unknown, index: number): unknown[] {
	const param = `messages[${index}]`;
	if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
		throw badRequest(`${param} must be an object with a \`role\`.`, param);
	}

	const message = raw as Record<string, unknown>;
	if (message.name !== undefined && message.name !== null) {
		throw badRequest(
			`${param}.name: participant names are not supported by the Responses backend; put the name in the content.`,
			`${param}.name`,
			'unsupported_parameter',
		);
	}

	switch (message.role) {
		case 'system':
		case 'developer': {
			return [
				{
					type: 'message',
					role: 'developer',
					content: [{type: 'input_text', text: textOf(message.content, `${param}.content`)}],
				},
			];
		}

		case 'user': {
			return [{type: 'message', role: 'user', content: userContent(message.content, `${param}.content`)}];
		}

		case 'assistant': {
			return assistantItems(message, param);
		}

		case 'tool': {
			if (typeof message.tool_call_id !== 'string' || message.tool_call_id === '') {
				throw badRequest(`${param}.tool_call_id is required on a tool message.`, `${param}.tool_call_id`);
			}

			return [
				{
					type: 'function_call_output',
					call_id: message.tool_call_id,
					output: textOf(message.content, `${param}.content`),
				},
			];
		}

		case 'function': {
			throw badRequest(
				`${param}: the legacy \`function\` role is not supported; use \`tool\` messages with \`tool_call_id\`.`,
				`${param}.role`,
				'unsupported_parameter',
			);
		}

		default: {
			throw badRequest(
				`${param}.role must be one of system, developer, user, assistant, tool; got ${JSON.stringify(message.role)}.`,
				`${param}.role`,
			);
		}
	}
}

/** Text from a string or an array of `text` parts (joined), as system, developer and tool messages carry it. */
function textOf(content: unknown, param: string): string {
	if (typeof content === 'string') {
		return content;
	}

	if (!Array.isArray(content)) {
		throw badRequest(`${param} must be a string or an array of text parts.`, param);
	}

	return content
		.map((part, index) => {
			const record = part as {type?: unknown; text?: unknown} | null;
			if (record?.type !== 'text' || typeof record.text !== 'string') {
				throw badRequest(
					`${param}[${index}] must be a text part ({type: "text", text}) here.`,
					`${param}[${index}]`,
				);
			}

			return record.text;
		})
		.join('\n');
}

function userContent(content: unknown, param: string): unknown[] {
	if (typeof content === 'string') {
		return [{type: 'input_text', text: content}];
	}

	if (!Array.isArray(content)) {
		throw badRequest(`${param} must be a string or an array of content parts.`, param);
	}

	return content.map((raw, index) => {
		const part = (raw ?? {}) as Record<string, unknown>;
		const where = `${param}[${index}]`;
		if (part.type === 'text' && typeof part.text === 'string') {
			return {type: 'input_text', text: part.text};
		}

		if (part.type === 'image_url') {
			const image = part.image_url as {url?: unknown; detail?: unknown} | string | undefined;
			const url = typeof image === 'string' ? image : image?.url;
			if (typeof url !== 'string' || url === '') {
				throw badRequest(
					`${where}.image_url.url is required (an https URL or a data: URL).`,
					`${where}.image_url`,
				);
			}

			const detail = typeof image === 'object' && typeof image?.detail === 'string' ? image.detail : 'auto';
			return {type: 'input_image', image_url: url, detail};
		}

		if (part.type === 'file') {
			const file = (part.file ?? {}) as {file_data?: unknown; filename?: unknown; file_id?: unknown};
			if (typeof file.file_data !== 'string') {
				throw badRequest(
					`${where}: only inline files (\`file.file_data\`) are supported; uploaded file ids live on api.openai.com, not in the pool.`,
					`${where}.file`,
					'unsupported_parameter',
				);
			}

			return {
				type: 'input_file',
				file_data: file.file_data,
				...(typeof file.filename === 'string' ? {filename: file.filename} : {}),
			};
		}

		if (part.type === 'input_audio') {
			throw badRequest(
				`${where}: audio input is not supported by the ChatGPT backend.`,
				where,
				'unsupported_parameter',
			);
		}

		throw badRequest(
			`${where}: unknown content part type ${JSON.stringify(part.type)} (expected text, image_url or file).`,
			where,
		);
	});
}

function assistantItems(message: Record<string, unknown>, param: string): unknown[] {
	if (message.audio !== undefined && message.audio !== null) {
		throw badRequest(
			`${param}.audio: audio in the history is not supported.`,
			`${param}.audio`,
			'unsupported_parameter',
		);
	}

	if (message.function_call !== undefined && message.function_call !== null) {
		throw badRequest(
			`${param}.function_call: the legacy field is not supported; use \`tool_calls\`.`,
			`${param}.function_call`,
			'unsupported_parameter',
		);
	}

	const items: unknown[] = [];
	const content = assistantText(message.content, `${param}.content`);
	const refusal = typeof message.refusal === 'string' && message.refusal !== '' ? message.refusal : undefined;
	if (content !== '' || refusal !== undefined) {
		const parts: unknown[] = [];
		if (content !== '') {
			parts.push({type: 'output_text', text: content});
		}

		if (refusal !== undefined) {
			parts.push({type: 'refusal', refusal});
		}

		items.push({type: 'message', role: 'assistant', content: parts});
	}

	const calls = message.tool_calls ?? [];
	if (!Array.isArray(calls)) {
		throw badRequest(`${param}.tool_calls must be an array.`, `${param}.tool_calls`);
	}

	calls.forEach((raw, index) => {
		const call = (raw ?? {}) as {
			id?: unknown;
			type?: unknown;
			function?: {name?: unknown; arguments?: unknown};
		};
		const where = `${param}.tool_calls[${index}]`;
		if (call.type !== undefined && call.type !== 'function') {
			throw badRequest(
				`${where}: only function tool calls are supported; got ${JSON.stringify(call.type)}.`,
				where,
				'unsupported_parameter',
			);
		}

		if (typeof call.id !== 'string' || typeof call.function?.name !== 'string') {
			throw badRequest(`${where} needs an \`id\` and \`function.name\`.`, where);
		}

		const args = call.function.arguments;
		items.push({
			type: 'function_call',
			call_id: call.id,
			name: call.function.name,
			arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}),
		});
	});
	return items;
}

function assistantText(content: unknown, param: string): string {
	if (content === undefined || content === null) {
		return '';
	}

	if (typeof content === 'string') {
		return content;
	}

	if (!Array.isArray(content)) {
		throw badRequest(`${param} must be a string or an array of text parts.`, param);
	}

	return content
		.map((part, index) => {
			const record = (part ?? {}) as {type?: unknown; text?: unknown};
			if (record.type === 'text' && typeof record.text === 'string') {
				return record.text;
			}

			throw badRequest(
				`${param}[${index}] must be a text part in an assistant message.`,
				`${param}[${index}]`,
			);
		})
		.join('');
}
