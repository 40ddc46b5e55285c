import type {IncomingMessage, ServerResponse} from 'node:http';
import type {Clock} from '../clock.ts';
import type {Dispatch} from '../proxy/dispatch-types.ts';
import type {Settings} from '../store/types.ts';
import type {ModelCatalog} from './models.ts';

/**
What the `/v1/*` handlers need from the server that mounts them (the access policy there has checked the
pool key). `settings` is read on every request so a change (published models, body limit) applies at once.
`clock` stamps `created` when the upstream gives no time.
*/
export type OpenAiDeps = {
	readonly dispatch: Dispatch;
	readonly settings: () => Settings;
	readonly models: ModelCatalog;
	readonly clock?: Clock | undefined;
};

/** A `/v1/*` route handler over node:http. It always answers (errors in the OpenAI shape) and never throws. */
export type OpenAiHandler = (req: IncomingMessage, res: ServerResponse, deps: OpenAiDeps) => Promise<void>;
