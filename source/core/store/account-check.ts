/**
Whether one saved account can be used, checked on its own so that one bad account (no tokens, a field of the
wrong type) is set aside without taking the others with it. The reasons name fields, never their values (they
may be tokens).
*/
export function accountProblem(value: unknown): string | undefined {
	if (!isObject(value)) {
		return 'it is not an object';
	}

	for (const field of ['id', 'name'] as const) {
		if (typeof value[field] !== 'string' || value[field] === '') {
			return `it has no ${field}`;
		}
	}

	if (typeof value.plan !== 'string') {
		return 'it has no plan';
	}

	if (value.email !== undefined && typeof value.email !== 'string') {
		return 'its email is not text';
	}

	if (typeof value.addedAt !== 'number') {
		return 'it has no date added';
	}

	const {tokens, marks, needsLogin, caps} = value;
	if (!isObject(tokens)) {
		return 'it has no tokens';
	}

	if (typeof tokens.idToken !== 'string') {
		return 'it has no id token';
	}

	for (const [field, label] of [
		['accessToken', 'access token'],
		['refreshToken', 'refresh token'],
	] as const) {
		if (typeof tokens[field] !== 'string' || tokens[field] === '') {
			return `it has no ${label}`;
		}
	}

	if (tokens.lastRefresh !== undefined && typeof tokens.lastRefresh !== 'number') {
		return 'its last refresh is not a time';
	}

	if (
		!isObject(marks) ||
		!['pinned', 'drained', 'evicted'].every((mark) => typeof marks[mark] === 'boolean')
	) {
		return 'its marks are not pinned/drained/evicted';
	}

	if (
		caps !== undefined &&
		!(
			isObject(caps) &&
			['fiveHour', 'weekly'].every(
				(window) =>
					caps[window] === undefined ||
					(typeof caps[window] === 'number' && caps[window] >= 1 && caps[window] <= 100),
			)
		)
	) {
		return 'its caps are not percents from 1 to 100';
	}

	if (
		needsLogin !== undefined &&
		!(
			isObject(needsLogin) &&
			typeof needsLogin.code === 'string' &&
			typeof needsLogin.message === 'string' &&
			typeof needsLogin.at === 'number'
		)
	) {
		return 'its login problem is malformed';
	}

	return undefined;
}

/** How to name an account that may lack a name, in a message. */
export function accountLabel(value: unknown, index: number): string {
	if (isObject(value)) {
		for (const field of ['name', 'email', 'id']) {
			if (typeof value[field] === 'string' && value[field] !== '') {
				return value[field] as string;
			}
		}
	}

	return `account #${index + 1}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
