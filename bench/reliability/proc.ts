import {readdirSync, readFileSync, readlinkSync} from 'node:fs';

/**
What Linux's /proc tells about another process: its resident memory, and its TCP connections. The soak
measures the proxy from outside, so neither the load generator nor the simulated upstream counts.
Everything returns undefined where /proc is not available.
*/

/** Resident set size of a process, in bytes. */
export function residentBytes(pid: number): number | undefined {
	try {
		const status = readFileSync(`/proc/${pid}/status`, 'utf8');
		const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
		return match ? Number(match[1]) * 1024 : undefined;
	} catch {
		return undefined;
	}
}

/** The socket inodes a process holds open. */
function socketInodes(pid: number): Set<string> | undefined {
	try {
		const inodes = new Set<string>();
		for (const fd of readdirSync(`/proc/${pid}/fd`)) {
			try {
				const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
				if (match?.[1] !== undefined) {
					inodes.add(match[1]);
				}
			} catch {
				// The descriptor closed while we looked.
			}
		}

		return inodes;
	} catch {
		return undefined;
	}
}

type TcpRow = {localPort: number; remotePort: number; state: string; inode: string};

function tcpRows(): TcpRow[] {
	const rows: TcpRow[] = [];
	for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
		let text: string;
		try {
			text = readFileSync(file, 'utf8');
		} catch {
			continue;
		}

		for (const line of text.split('\n').slice(1)) {
			const fields = line.trim().split(/\s+/);
			const local = fields[1];
			const remote = fields[2];
			if (local === undefined || remote === undefined || fields[9] === undefined) {
				continue;
			}

			rows.push({
				localPort: Number.parseInt(local.split(':')[1] ?? '0', 16),
				remotePort: Number.parseInt(remote.split(':')[1] ?? '0', 16),
				state: fields[3] ?? '',
				inode: fields[9],
			});
		}
	}

	return rows;
}

/** TCP states that hold a connection open (ESTABLISHED, SYN_SENT, SYN_RECV, FIN_WAIT1/2, CLOSE_WAIT, LAST_ACK, CLOSING). */
const OPEN_STATES = new Set(['01', '02', '03', '04', '05', '08', '09', '0B']);

/**
How many TCP connections a process holds open to a port (`direction: 'to'`, as a client) or on a port it
serves (`direction: 'on'`). Undefined without /proc.
*/
export function openConnections(pid: number, port: number, direction: 'to' | 'on'): number | undefined {
	const inodes = socketInodes(pid);
	if (inodes === undefined) {
		return undefined;
	}

	return tcpRows().filter(
		(row) =>
			inodes.has(row.inode) &&
			OPEN_STATES.has(row.state) &&
			(direction === 'to' ? row.remotePort === port : row.localPort === port && row.remotePort !== 0),
	).length;
}
