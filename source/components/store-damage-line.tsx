import {Box} from 'ink';
import type {StoreDamageSnapshot} from '../core/contract.ts';
import {Line} from './line.tsx';

/**
The one notice of a damaged store, as the commands give it (there, in full, around every command): what was
set aside, where, and what to do. Empty when nothing was.
*/
export function storeDamageText(damage: readonly StoreDamageSnapshot[] | undefined): string {
	const [first, ...others] = damage ?? [];
	if (first === undefined) {
		return '';
	}

	const more = others.length === 0 ? '' : ` and ${others.length} more file${others.length === 1 ? '' : 's'}`;
	return (
		`Store damaged: what could not be used is in ${first.file}${more}. Add those accounts again ` +
		`(codexpool login, or codexpool import PATH), then delete ${more === '' ? 'that file' : 'those files'}; ` +
		'the notices say what happened.'
	);
}

/** `text` in rows of at most `columns`, broken at spaces (a word longer than a row is cut where it must). */
export function wrapWords(text: string, columns: number): string[] {
	const width = Math.max(1, columns);
	const rows: string[] = [];
	let row = '';
	for (const word of text.split(' ')) {
		const candidate = row === '' ? word : `${row} ${word}`;
		if ([...candidate].length <= width) {
			row = candidate;
			continue;
		}

		if (row !== '') {
			rows.push(row);
		}

		let rest = [...word];
		while (rest.length > width) {
			rows.push(rest.slice(0, width).join(''));
			rest = rest.slice(width);
		}

		row = rest.join('');
	}

	if (row !== '') {
		rows.push(row);
	}

	return rows;
}

type Props = {
	readonly damage: readonly StoreDamageSnapshot[] | undefined;
	readonly columns: number;
};

/** Under the header while the store's set-aside copy is there: wrapped, so what to do is never cut off. */
export function StoreDamageLine({damage, columns}: Props) {
	const rows = wrapWords(storeDamageText(damage), columns);
	return rows.length === 0 ? null : (
		<Box flexDirection="column">
			{rows.map((row) => (
				<Line key={row} segments={[{text: row, tone: 'error'}]} />
			))}
		</Box>
	);
}
