/**
What a stream still running when the pool stops is ended with. Each protocol's last event carries its message:
`response.failed` on a Responses stream, an error chunk then `[DONE]` on chat completions.
*/
export class PoolStoppingError extends Error {
	override name = 'PoolStoppingError';
	constructor() {
		super('codexpool stopped before this answer was complete: send the request again once the pool runs.');
	}
}
