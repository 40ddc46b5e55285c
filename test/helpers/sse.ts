import {sseEvent} from '../../source/core/sse/frame.ts';
import {parseSseText} from '../../source/core/sse/parse.ts';
import {responsesEventsOf} from '../../source/core/sse/responses-events.ts';

/** The Responses events of an SSE body (each event's JSON data), in order; non-JSON data is skipped. */
export function sseEvents(text: string): Record<string, unknown>[] {
	return responsesEventsOf(text);
}

/** One event as the ChatGPT backend writes it: its name and its JSON data. */
export type BackendEvent = {event: string; data: Record<string, unknown>};

/**
The events of an SSE body written exactly as the backend writes them (`event: <name>\ndata: <json>\n\n`,
nothing else): throws on any other framing, so a test of a producer also checks its bytes.
*/
export function backendEvents(text: string): BackendEvent[] {
	const messages = parseSseText(text);
	const events = messages.map((message) => {
		if (message.event === undefined) {
			throw new Error(`An event without a name: ${JSON.stringify(message.data)}`);
		}

		return {event: message.event, data: JSON.parse(message.data) as Record<string, unknown>};
	});
	const reframed = messages.map((message) => sseEvent(message.data, message.event)).join('');
	if (reframed !== text) {
		throw new Error(`Not framed as the backend frames events: ${JSON.stringify(text.slice(0, 200))}`);
	}

	return events;
}
