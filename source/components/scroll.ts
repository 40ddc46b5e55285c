/**
Which rows of a list of `length` to show in `capacity` rows so that `focus` stays visible, keeping it
roughly centred once the list scrolls.
*/
export function visibleWindow(length: number, focus: number, capacity: number): {start: number; end: number} {
	const rows = Math.max(0, Math.min(length, capacity));
	if (rows >= length) {
		return {start: 0, end: length};
	}
	const clampedFocus = Math.min(Math.max(focus, 0), length - 1);
	const start = Math.min(Math.max(0, clampedFocus - Math.floor(rows / 2)), length - rows);
	return {start, end: start + rows};
}

/** Clamps a scroll offset so that `capacity` rows of `length` stay filled. */
export function clampOffset(offset: number, length: number, capacity: number): number {
	return Math.min(Math.max(0, offset), Math.max(0, length - capacity));
}
