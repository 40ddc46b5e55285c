import type {IncomingMessage, ServerResponse} from 'node:http';
import type {Clock} from '../clock.ts';
import type {PoolKeys} from '../keys/pool-keys.ts';
import type {Dispatch} from '../proxy/dispatch-types.ts';
import type {Settings} from '../store/types.ts';
import type {ModelCatalog} from './models.ts';

/**
What the `/v1/*` handlers need from the server that mounts them. `settings` is read on every request so a
change (requireKey, published models) applies at once. `bindHost` overrides the bound address read from
the socket (for the loopback rule). `clock` stamps `created` when the upstream gives no time.
*/
export type OpenAiDeps = {
	readonly dispatch: Dispatch;
	readonly keys: Pick<PoolKeys, 'verify'>;
	readonly settings: () => Settings;
	readonly models: ModelCatalog;
	readonly clock?: Clock | undefined;
	readonly bindHost?: string | undefined;
};

/** A `/v1/*` route handler over node:http. It always answers (errors in the OpenAI shape) and never throws. */
export type OpenAiHandler = (req: IncomingMessage, res: ServerResponse, deps: OpenAiDeps) => Promise<void>;
