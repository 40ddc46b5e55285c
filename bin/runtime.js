/**
The V8 flags `codexpool serve` sets on itself (v8.setFlagsFromString, first thing in bin/codexpool.js). The proxy
allocates a few hundred KB per streamed turn, nearly all dead within milliseconds, and keeps some of it (stream
state, chunks queued for a slow client) for the length of the turn. By default V8 lets the young generation
grow to 2 × 16 MB under that load and lets the old generation, where the long-lived part is promoted, grow to
several times its live size before collecting it; both stay resident. Both flags are read by V8 at each
collection, so setting them after start takes effect (bench/results/proxy.md: the bin's row against the
bundle started without them). After start is also the only way for the first: given on the command line, a
semi-space growth factor below 2 is raised to 2 when the heap is set up (measured: the young generation
still grows to 2 × 16 MB), while set at run time it holds:
- `--semi-space-growth-factor=1`: the young generation keeps its initial 2 × 1 MB;
- `--heap-growing-percent=30`: the old generation may grow 30% past its live size before a full collection,
  which also frees the promoted chunks' memory (Buffers) sooner.
They cost some CPU per request (more frequent, smaller collections): see the same report.
*/
export const SERVE_V8_FLAGS = '--semi-space-growth-factor=1 --heap-growing-percent=30';
