/**
The JSON schema of the store file (conf validates every read and write against it). It checks what the
program relies on and lets unknown properties through, so a newer codexpool's file still opens in an
older one.
*/

const string = {type: 'string'} as const;
const number = {type: 'number'} as const;
const boolean = {type: 'boolean'} as const;

const tokens = {
	type: 'object',
	required: ['idToken', 'accessToken', 'refreshToken'],
	properties: {
		idToken: string,
		accessToken: {type: 'string', minLength: 1},
		refreshToken: {type: 'string', minLength: 1},
		lastRefresh: number,
	},
} as const;

const account = {
	type: 'object',
	required: ['id', 'name', 'plan', 'tokens', 'marks', 'addedAt'],
	properties: {
		id: {type: 'string', minLength: 1},
		name: {type: 'string', minLength: 1},
		email: string,
		plan: string,
		tokens,
		marks: {
			type: 'object',
			required: ['pinned', 'drained', 'evicted'],
			properties: {pinned: boolean, drained: boolean, evicted: boolean},
		},
		needsLogin: {
			type: 'object',
			required: ['code', 'message', 'at'],
			properties: {code: string, message: string, at: number},
		},
		addedAt: number,
	},
} as const;

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
	},
} as const;

/** conf's `schema` option: one entry per top-level key of the file. */
export const storeSchema = {
	version: {type: 'number'},
	accounts: {type: 'array', items: account},
	settings,
	keys: {type: 'array', items: poolKey},
	// Owned by the scheduler; any JSON value.
	schedulerPlan: {},
} as const;
