import {useStdout} from 'ink';
import {useEffect, useState} from 'react';

/** Columns and rows when the terminal does not say (pipes, tests). */
export const fallbackSize = {columns: 100, rows: 50} as const;

type Size = {readonly columns: number; readonly rows: number};

function read(stdout: NodeJS.WriteStream): Size {
	return {columns: stdout.columns || fallbackSize.columns, rows: stdout.rows || fallbackSize.rows};
}

/** The terminal's size, updated when it is resized. */
export function useTerminalSize(): Size {
	const {stdout} = useStdout();
	const [size, setSize] = useState(() => read(stdout));
	useEffect(() => {
		const onResize = () => setSize(read(stdout));
		stdout.on('resize', onResize);
		return () => {
			stdout.off('resize', onResize);
		};
	}, [stdout]);
	return size;
}
