import {Text} from 'ink';
import {memo} from 'react';
import {type Tone, toneColor} from './theme.ts';

/** A run of text with one style; rows are lists of these so builders stay pure and testable. */
export type Segment = {
	readonly text: string;
	readonly tone?: Tone;
	readonly bold?: boolean;
	readonly inverse?: boolean;
};

type Props = {
	readonly segments: readonly Segment[];
};

/**
One terminal row: a single Text (one layout node, however many colours) that truncates at the edge instead
of wrapping, so a narrow terminal never pushes the frame past the screen.
*/
export const Line = memo(function Line({segments}: Props) {
	return (
		<Text wrap="truncate-end">
			{mergeRuns(segments).map((segment, index) =>
				isUnstyled(segment) ? (
					segment.text
				) : (
					<Text
						// Segments are positional: the same index is the same column on every render.
						// biome-ignore lint/suspicious/noArrayIndexKey: see above
						key={index}
						color={segment.tone === undefined ? undefined : toneColor(segment.tone)}
						bold={segment.bold}
						inverse={segment.inverse}
					>
						{segment.text}
					</Text>
				),
			)}
		</Text>
	);
}, sameSegments);

const isUnstyled = (segment: Segment) =>
	(segment.tone === undefined || segment.tone === 'plain') &&
	segment.bold !== true &&
	segment.inverse !== true;

const sameStyle = (a: Segment, b: Segment) =>
	(isUnstyled(a) && isUnstyled(b)) || (a.tone === b.tone && a.bold === b.bold && a.inverse === b.inverse);

/** Joins neighbours of the same style: fewer nested Texts and colour codes for Ink to lay out and encode. */
export function mergeRuns(segments: readonly Segment[]): Segment[] {
	const runs: Segment[] = [];
	for (const segment of segments) {
		const last = runs.at(-1);
		if (last !== undefined && sameStyle(last, segment)) {
			runs[runs.length - 1] = {...last, text: last.text + segment.text};
		} else {
			runs.push(segment);
		}
	}
	return runs;
}

/** Rows are rebuilt on every snapshot; comparing their content lets React skip the rows that did not change. */
function sameSegments(previous: Props, next: Props): boolean {
	const a = previous.segments;
	const b = next.segments;
	if (a === b) {
		return true;
	}
	if (a.length !== b.length) {
		return false;
	}
	for (let index = 0; index < a.length; index++) {
		const x = a[index];
		const y = b[index];
		if (x?.text !== y?.text || x?.tone !== y?.tone || x?.bold !== y?.bold || x?.inverse !== y?.inverse) {
			return false;
		}
	}
	return true;
}

/** The plain text of a row, for tests and width checks. */
export function segmentsText(segments: readonly Segment[]): string {
	return segments.map((segment) => segment.text).join('');
}
