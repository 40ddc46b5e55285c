import type {Readable} from 'node:stream';
import type {BodySink, DispatchBody} from '../../source/core/proxy/dispatch-types.ts';

/**
A dispatch body over any Readable, for front-door tests that fake the engine: the product's bodies are
`UpstreamBody`s fed by undici; this one keeps the same contract over a stream the test controls.
*/
export function readableBody(stream: Readable): DispatchBody {
	return {
		sinkTo(sink: BodySink) {
			stream.on('data', (chunk: Buffer) => {
				if (!sink.write(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk))) {
					stream.pause();
				}
			});
			stream.once('end', () => sink.end());
			stream.once('error', (error) => sink.fail(error));
		},
		drained: () => stream.resume(),
		toReadable: () => stream,
		async text() {
			const chunks: Buffer[] = [];
			for await (const chunk of stream) {
				chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
			}

			return Buffer.concat(chunks).toString('utf8');
		},
		cancel() {
			if (!stream.destroyed && !stream.readableEnded) {
				stream.destroy();
			}
		},
	};
}
