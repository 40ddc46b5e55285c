import WebSocket from 'ws';
import {emitMoves} from '../proxy/events.ts';
import {failureWords, markForFailure, noAccountFailure} from '../proxy/outcomes.ts';
import type {UpstreamFailure} from '../proxy/upstream-errors.ts';
import {sessionIdentity} from '../sessions/identity.ts';
import {recordRejectedItems} from '../sessions/strip.ts';
import {type Attempt, pumpAttempt, type Seen} from './attempt.ts';
import {clientSender} from './client-sender.ts';
import {ConversationMemory, fullBody} from './conversation.ts';
import {sendsEarly} from './early-send.ts';
import {frameQueue} from './frame-queue.ts';
import * as frames from './frames.ts';
import {type RelayHandle, RelayLife} from './relay-life.ts';
import type {RelayOptions} from './relay-options.ts';
import {type RequestFacts, requestEntry} from './request-entry.ts';
import {TURN_STATE, TurnStateOwners, withoutTurnState} from './turn-state.ts';
import {type OpenedUpstream, openForAccount, reusedPayload} from './upstream-open.ts';
import {waitForAccount} from './wait-up-to.ts';

const DEFAULT_MAX_AGE_MS = 55 * 60_000;
/** Reopens of the same account's socket per request (connection limit, idle close, refreshed token). */
const MAX_REOPENS = 3;
const TEXT = {binary: false} as const;

/**
One client WebSocket: its requests, one at a time, each on the session's account over an upstream socket
of its own (never shared with another client connection or account). While the session stays on its
account, frames go upstream as the client sent them; when it must go to another account, or to a new socket,
the pool sends the full input it rebuilt from this connection's memory, stripped of what the other account
cannot read, so the client sees nothing of it.
*/
export function startSessionRelay(options: RelayOptions): RelayHandle {
	const {deps, client} = options;
	const {pool, sessions, issuers, choice, clock, events} = deps;
	// The relay never asks whether a full input extends the memory (HTTP clients do), so it keeps no fields.
	const memory = new ConversationMemory({compareFields: false});
	const closed = new AbortController();
	let sessionId: string | undefined;
	let up: OpenedUpstream | undefined = options.initial;
	const turnState = new TurnStateOwners(options.initial, issuers, options.headers[TURN_STATE]);
	/** The upstream socket that produced `memory.responseId` (an incremental frame may only go there). */
	let chainSocket: WebSocket | undefined;

	const toClient = clientSender(client, options.backendFrames, () => up?.socket, options.transport);
	const life = new RelayLife(deps.inFlight, toClient, (code, reason) => {
		closed.abort();
		queue.clear();
		dropUpstream();
		if (client.readyState <= WebSocket.OPEN) {
			client.close(code, reason);
		}
	});

	const dropUpstream = () => {
		const socket = up?.socket;
		up = undefined;
		if (socket !== undefined && socket.readyState <= WebSocket.OPEN) {
			socket.close(1000);
		}
	};

	/** A frame early-send.ts lets go before it is read, sent, with its answer's pump started. */
	const sendEarly = (data: Buffer, seen: Seen) => {
		const home = sessionId === undefined ? undefined : sessions.get(sessionId)?.accountId;
		// The `/v1` door rewrites every frame: nothing goes early there.
		if (
			options.prepare !== undefined ||
			home === undefined ||
			!sendsEarly(data, {
				home,
				leaveReason: (account) => choice.reasonToLeave(account, {}),
				upstream: up,
				maxAgeMs: deps.maxSocketAgeMs ?? DEFAULT_MAX_AGE_MS,
				now: clock.now(),
				responseId: memory.responseId,
				chainsHere: up !== undefined && up.socket === chainSocket,
				turnStateForeign: turnState.rawFrameForeignTo(home, data),
			})
		) {
			return undefined;
		}

		const socket = up!.socket;
		life.beginTurn();
		socket.send(data, TEXT);
		return {accountId: home, socket, attempt: pumpOn(socket, home, seen)};
	};

	const pumpOn = (socket: WebSocket, accountId: string, seen: Seen) =>
		pumpAttempt({upstream: socket, accountId, pool, issuers, clock, toClient, seen, signal: closed.signal});

	const serve = async (data: Buffer) => {
		const started = performance.now();
		const seen: Seen = {firstEventAt: undefined, createdSent: false};
		const early = sendEarly(data, seen);
		// In the in-flight count until its terminal event (from its send, when early); the pool waits for it when it stops.
		let inTurn = early !== undefined;
		try {
			if (early !== undefined) {
				// Read once the answer's first event went to the client: until then the event loop stays free for it.
				await Promise.race([early.attempt.firstEvent, early.attempt.result]);
			}

			const raw = data.toString();
			const body = frames.parseFrame(raw);
			if (body?.type !== 'response.create') {
				if (early !== undefined) {
					await early.attempt.result;
				} else if (up !== undefined && up.socket.readyState === WebSocket.OPEN) {
					// Anything else (e.g. Codex's `response.processed`) belongs to the socket that served the response.
					up.socket.send(data, TEXT);
				}

				return;
			}

			if (!inTurn) {
				inTurn = true;
				life.beginTurn();
			}

			await serveCreate(data, raw, body, started, seen, early);
		} finally {
			if (inTurn) {
				life.turnDone();
			}
		}
	};

	const serveCreate = async (
		data: Buffer,
		raw: string,
		created: Record<string, unknown>,
		started: number,
		seen: Seen,
		/** Sent already, before it was read (early-send.ts): its first attempt, which the full reading agrees with. */
		early: {readonly accountId: string; readonly socket: WebSocket; readonly attempt: Attempt} | undefined,
	) => {
		let body = created;
		let untouched = true;
		if (options.prepare !== undefined) {
			try {
				body = await options.prepare(body);
				untouched = false;
			} catch (error) {
				toClient(frames.refusalFrame(error));
				return;
			}
		}

		// The full input is made only when needed (a first request, a new socket, the end of the response), not
		// before an untouched frame goes upstream.
		const known = memory.holds(body);
		let items: readonly string[] | undefined;
		const fullItems = () => (items ??= memory.fullInput(body));
		if (sessionId === undefined) {
			const input = known ? fullItems().map((item) => JSON.parse(item) as unknown) : body.input;
			sessionId = sessionIdentity(options.headers, {...body, input}).id;
		}

		const home = sessions.get(sessionId)?.accountId;
		// A drained account keeps a compacted session (sessions/strip.ts), whose compaction a chained frame leaves out.
		const drained = home !== undefined && known && pool.get(home)?.record.marks.drained === true;
		const decided = drained ? fullBody(body, fullItems()) : body;
		const leaveReason = home === undefined ? undefined : choice.reasonToLeave(home, decided);
		const tried = new Set<string>();
		const failedOver: string[] = [];
		let lastFailure: UpstreamFailure | undefined;
		let reopens = 0;
		let mustReopen = false;
		let stripAll = false;
		const waitDeadline = clock.now() + (deps.waitUpToMs ?? 0);
		const log = (
			accountId: string | undefined,
			status: number,
			usage: RequestFacts['usage'],
			error?: string,
		) => {
			const facts = {accountId, model: body.model, status, started, usage, failedOver, error};
			const entry = {...facts, firstEventAt: seen.firstEventAt, sessionId, path: options.path};
			events.emit('request', requestEntry(deps, entry));
		};

		for (;;) {
			// A frame sent early went upstream before its client left: its attempt ends and is logged as any other.
			if (closed.signal.aborted && early === undefined) {
				return;
			}

			// A new session starts on the account whose socket was opened at its handshake, while it is usable.
			const sentEarly = early; // the first attempt only
			early = undefined;
			const accountId = sentEarly?.accountId ?? choice.choose(home ?? up?.accountId, tried, decided);
			if (accountId === undefined) {
				if (await waitForAccount(deps, waitDeadline, closed.signal)) {
					tried.clear();
					continue;
				}

				const failure = noAccountFailure(pool, lastFailure, clock.now());
				toClient(frames.noAccountFrame(failure, pool));
				log(undefined, failure.status, undefined, failure.error.message);
				return;
			}

			tried.add(accountId);
			const moving = accountId !== home && (home !== undefined || tried.size > 1);
			const maxAge = deps.maxSocketAgeMs ?? DEFAULT_MAX_AGE_MS;
			const reusable =
				sentEarly !== undefined ||
				(!mustReopen &&
					up !== undefined &&
					up.accountId === accountId &&
					up.socket.readyState === WebSocket.OPEN &&
					clock.now() - up.openedAt < maxAge &&
					(body.previous_response_id === undefined || up.socket === chainSocket));
			let payload: Buffer | string | undefined;
			if (reusable) {
				// A frame sent early went as it came.
				payload =
					sentEarly !== undefined
						? undefined
						: reusedPayload({
								data,
								raw,
								body,
								untouched,
								moving,
								upstream: up!,
								issuers,
								foreignTurnState: turnState.frameForeignTo(accountId, body),
							});
			} else {
				if (!known) {
					// The client chains from a response this connection never saw: Codex resends everything on this.
					toClient(frames.previousNotFoundFrame(body.previous_response_id));
					return;
				}

				dropUpstream();
				const opened = await openForAccount(deps, options.headers, accountId, {
					moving,
					stripAll,
					foreignTurnState: turnState.headerForeignTo(accountId),
				});
				if (!opened.ok) {
					lastFailure = opened.failure;
					if (opened.failure.kind === 'client-error' || opened.failure.kind === 'invalid-encrypted-content') {
						toClient(frames.invalidRequestFrame(opened.status, opened.failure.message));
						return;
					}

					markForFailure(pool, accountId, opened.failure, clock.now());
					failedOver.push(accountId);
					continue;
				}

				up = opened.upstream;
				turnState.opened(up);
				watchIdle(up);
				const full = opened.strip(fullBody(body, fullItems()));
				payload = JSON.stringify(turnState.frameForeignTo(accountId, full) ? withoutTurnState(full) : full);
			}

			mustReopen = false;
			sessions.assign(sessionId, accountId, options.clientName, 'websocket');
			sessions.begin(sessionId);
			pool.setRunning(sessions.runningCounts());
			const socket = sentEarly?.socket ?? up!.socket;
			if (payload !== undefined) {
				socket.send(payload, TEXT);
			}

			const result = await (sentEarly?.attempt ?? pumpOn(socket, accountId, seen)).result;
			if (result.kind === 'retry') {
				sessions.end(sessionId, undefined);
				dropUpstream();
				if (result.failure === undefined || result.failure.kind === 'unauthorized') {
					if (!known || ++reopens > MAX_REOPENS) {
						toClient(frames.unavailableFrame(result.reason));
						log(accountId, 502, undefined, result.reason);
						return;
					}

					// The same account on a new socket: the failed one is not counted as tried.
					tried.delete(accountId);
					mustReopen = true;
					continue;
				}

				if (result.failure.kind === 'invalid-encrypted-content') {
					// Items of unknown origin this account cannot read (a session begun elsewhere): once more without any.
					if (stripAll || !known) {
						const error = {
							type: 'invalid_request_error',
							code: 'invalid_encrypted_content',
							message: result.reason,
						};
						toClient(frames.errorFrame(400, error));
						return;
					}

					stripAll = true;
					recordRejectedItems(fullBody(body, fullItems()), accountId, issuers);
					tried.delete(accountId);
					mustReopen = true;
					continue;
				}

				lastFailure = result.failure;
				markForFailure(pool, accountId, result.failure, clock.now());
				failedOver.push(accountId);
				if (!known) {
					toClient(frames.errorFrame(429, {type: 'usage_limit_reached', message: result.reason}));
					return;
				}

				continue;
			}

			pool.markSuccess(accountId);
			emitMoves(events, clock.now(), {
				sessionId,
				from: moving ? home : undefined,
				to: accountId,
				reason: `${leaveReason ?? failureWords(lastFailure)}${up?.stripNote ?? ''}`,
				failedOver,
				failure: lastFailure?.message,
			});

			if (result.kind === 'completed') {
				sessions.end(sessionId, result.usage);
				if (known && result.responseId !== '') {
					memory.remember(body, fullItems(), result.responseId, result.output);
					chainSocket = socket;
				} else {
					memory.clear();
				}
			} else {
				sessions.end(sessionId, undefined);
				memory.clear();
				if (result.brokenAfterOutput) {
					// Codex retries a broken stream on a new socket with the full input.
					dropUpstream();
					client.close(1011, 'upstream stream broken');
				}
			}

			pool.setRunning(sessions.runningCounts());
			if (result.kind === 'completed') {
				log(accountId, 200, result.usage, undefined);
			} else {
				log(accountId, 502, undefined, result.error);
			}

			return;
		}
	};

	/** An idle upstream socket that closes (idle timeout, 1011, age limit) is simply reopened at the next request. */
	const watchIdle = (opened: OpenedUpstream) => {
		opened.socket.once('close', () => {
			if (up === opened) {
				up = undefined;
			}
		});
	};

	if (up !== undefined) {
		watchIdle(up);
	}

	const queue = frameQueue(
		serve,
		(error) => {
			client.close(
				1011,
				`codexpool failed: ${error instanceof Error ? error.message : String(error)}`.slice(0, 120),
			);
		},
		closed.signal,
	);

	client.on('message', (data, isBinary) => {
		if (isBinary) {
			client.close(1003, 'binary frames are not supported');
			return;
		}

		queue.push(Buffer.isBuffer(data) ? data : Buffer.from(data.toString()));
	});
	client.on('error', () => {});
	client.once('close', () => {
		closed.abort();
		queue.clear();
		dropUpstream();
	});
	return life;
}
