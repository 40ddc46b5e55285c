import {type PumpOptions, type PumpResult, pumpResponse} from './response-pump.ts';

/** What the client has seen of one request's answer so far, over every attempt at it. */
export type Seen = {firstEventAt: number | undefined; createdSent: boolean};

/** One attempt at a request on an upstream socket. */
export type Attempt = {
	readonly result: Promise<PumpResult>;
	/** Resolves when the request's first event has gone to the client (never, if the attempt forwards none). */
	readonly firstEvent: Promise<void>;
};

/**
Pumps one attempt's answer to the client, noting in `seen` when its first event went out and whether a
`response.created` did (a later attempt hides its own).
*/
export function pumpAttempt(options: Omit<PumpOptions, 'createdSent'> & {readonly seen: Seen}): Attempt {
	const {seen, toClient} = options;
	let firstEventSent: () => void = () => {};
	const firstEvent = new Promise<void>((resolve) => {
		firstEventSent = resolve;
	});
	const result = pumpResponse({
		...options,
		createdSent: seen.createdSent,
		toClient(frame, type) {
			if (seen.firstEventAt === undefined) {
				seen.firstEventAt = performance.now();
				firstEventSent();
			}

			seen.createdSent ||= type === 'response.created';
			toClient(frame, type);
		},
	});
	return {result, firstEvent};
}
