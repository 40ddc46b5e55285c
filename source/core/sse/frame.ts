/**
How every producer in codexpool writes server-sent events (the simulated backend, the proxy's closing
`response.failed`, the OpenAI-compatible streams, the admin API's `/api/events`), and the framing the
readers (`parse.ts`, the proxy's byte-level tap) look for.
*/

/** The field that names an event. */
export const EVENT_FIELD = 'event:';
/** The field that carries an event's data (one per line of it). */
export const DATA_FIELD = 'data:';
/** What ends an event: its last line's end and a blank line. */
export const EVENT_END = '\n\n';

/**
One event: `data` as JSON (a string is taken as already serialised, e.g. `[DONE]`), named by `name` when
given (the Responses API names every event by its type; chat completions name none). A payload with line
breaks becomes one `data:` line per line, as SSE requires.
*/
export function sseEvent(data: unknown, name?: string): string {
	const payload = typeof data === 'string' ? data : JSON.stringify(data);
	const lines = payload.includes('\n') ? payload.replaceAll('\n', `\n${DATA_FIELD} `) : payload;
	return name === undefined
		? `${DATA_FIELD} ${lines}${EVENT_END}`
		: `${EVENT_FIELD} ${name}\n${DATA_FIELD} ${lines}${EVENT_END}`;
}

/** A Responses event, named by its `type` as the ChatGPT backend names it: `event: <type>\ndata: <json>\n\n`. */
export function responsesEvent(event: {readonly type: string} & Record<string, unknown>): string {
	return sseEvent(event, event.type);
}

/** A comment line: ignored by readers, it keeps an idle connection from being timed out. */
export function sseComment(text: string): string {
	return `: ${text}${EVENT_END}`;
}
