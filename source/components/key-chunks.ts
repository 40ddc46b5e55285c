import type {Key} from 'ink';

/** A key event with nothing pressed: the base that parsed keys and tests override. */
export const plainKey: Key = {
	upArrow: false,
	downArrow: false,
	leftArrow: false,
	rightArrow: false,
	pageDown: false,
	pageUp: false,
	home: false,
	end: false,
	return: false,
	escape: false,
	ctrl: false,
	shift: false,
	tab: false,
	backspace: false,
	delete: false,
	meta: false,
	super: false,
	hyper: false,
	capsLock: false,
	numLock: false,
};

/**
Ink hands over a run of plain characters read at once (`jjj` from key repeat, or keys sent by tmux) as one
input, like a paste; outside the filter prompt each character is a key of its own.
*/
export function splitKeys(input: string, key: Key, isTyping: boolean): [string, Key][] {
	const chars = [...input];
	if (chars.length <= 1 || isTyping || key.ctrl || key.meta || key.escape) {
		return [[input, key]];
	}
	return chars.map((char): [string, Key] => {
		switch (char) {
			case '\t':
				return ['', {...plainKey, tab: true}];
			case '\r':
				return ['', {...plainKey, return: true}];
			case '\u007F':
			case '\b':
				return ['', {...plainKey, backspace: true}];
			default:
				return [char, {...plainKey, shift: /[A-Z]/.test(char)}];
		}
	});
}
