/**
The JSON schema of the store file (conf validates every read and write against it). It checks what the
program relies on and lets unknown properties through, so a newer codexpool's file still opens in an
older one. Accounts are only required to be objects here: each is checked on its own (account-check.ts), so
one that cannot be used is set aside without the others.
*/

const string = {type: 'string'} as const;
const number = {type: 'number'} as const;
const boolean = {type: 'boolean'} as const;

const poolKey = {
	type: 'object',
	required: ['id', 'name', 'prefix', 'hash', 'createdAt'],
	properties: {id: string, name: string, prefix: string, hash: string, createdAt: number, lastUsedAt: number},
} as const;

const settings = {
	type: 'object',
	properties: {
		strategy: string,
		strategyOptions: {
			type: 'object',
			properties: {order: {type: 'array', items: string}, threshold: number},
		},
		requireKey: boolean,
		scheduler: {
			type: 'object',
			properties: {
				enabled: boolean,
				dryRun: boolean,
				policy: string,
				accounts: {type: 'array', items: string},
				quietHours: {type: 'object', required: ['start', 'end'], properties: {start: string, end: string}},
			},
		},
		models: {
			type: 'object',
			properties: {
				publish: {type: 'array', items: string},
				aliases: {type: 'object', additionalProperties: string},
			},
		},
		maxBodyBytes: {type: 'number', minimum: 1},
		maxWebSockets: {type: 'number', minimum: 0},
		allowedOrigins: {type: 'array', items: {type: 'string', pattern: '^https?://[^/]+$'}},
		upstreamWebSocket: boolean,
	},
} as const;

/** conf's `schema` option: one entry per top-level key of the file. */
export const storeSchema = {
	version: {type: 'number'},
	accounts: {type: 'array', items: {type: 'object'}},
	settings,
	keys: {type: 'array', items: poolKey},
	// Owned by the scheduler; any JSON value.
	schedulerPlan: {},
	// What was set aside (Store.damage): said by every command until the copy is dealt with.
	damage: {
		type: 'array',
		items: {
			type: 'object',
			required: ['file', 'at', 'message'],
			properties: {file: string, at: number, message: string},
		},
	},
} as const;
