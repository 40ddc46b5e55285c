import {Box} from 'ink';
import type {AccountSnapshot} from '../core/contract.ts';
import {accountHeaderSegments, accountNameWidth, accountRowSegments} from './account-row.ts';
import {Line} from './line.tsx';
import {PanelTitle} from './panel-title.tsx';
import {visibleWindow} from './scroll.ts';

type Props = {
	readonly accounts: readonly AccountSnapshot[];
	readonly selectedId: string | undefined;
	readonly now: number;
	readonly isFocused: boolean;
	/** Rows available for accounts; the list scrolls to keep the selection visible. */
	readonly maxRows: number;
	/** The terminal's columns (default 100): beyond 100 they go to long names. */
	readonly width?: number;
};

/** Every account, one row each, with the selection marked. */
export function AccountsPanel({accounts, selectedId, now, isFocused, maxRows, width = 100}: Props) {
	const nameWidth = accountNameWidth(accounts, width);
	const selectedIndex = Math.max(
		0,
		accounts.findIndex((account) => account.id === selectedId),
	);
	const {start, end} = visibleWindow(accounts.length, selectedIndex, maxRows);
	const hidden = accounts.length - (end - start);
	return (
		<Box flexDirection="column">
			<PanelTitle
				title="Accounts"
				isFocused={isFocused}
				detail={hidden > 0 ? `${start + 1}–${end} of ${accounts.length}` : `${accounts.length}`}
			/>
			<Line segments={accountHeaderSegments(nameWidth)} />
			{accounts.slice(start, end).map((account) => (
				<Line
					key={account.id}
					segments={accountRowSegments(account, now, account.id === selectedId, nameWidth)}
				/>
			))}
		</Box>
	);
}
