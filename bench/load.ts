/**
 * One load run, in a process of its own so that the load generator never shares an event loop with the
 * servers it measures. Reads its settings as JSON from argv[2], prints the summary as JSON on stdout.
 */
import autocannon from 'autocannon';

export interface LoadSpec {
  url: string;
  paths: string[];
  connections: number;
  seconds: number;
  headers: Record<string, string>;
}

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  timeouts: number;
  non2xx: number;
}

const spec = JSON.parse(process.argv[2] ?? '') as LoadSpec;
const result = await autocannon({
  url: spec.url,
  connections: spec.connections,
  duration: spec.seconds,
  headers: spec.headers,
  // Each connection cycles through the paths in turn.
  requests: spec.paths.map((path) => ({ method: 'GET', path })),
});
const summary: LoadResult = {
  requestsPerSecond: result.requests.average,
  p50: result.latency.p50,
  p99: result.latency.p99,
  requests: result.requests.total,
  errors: result.errors,
  timeouts: result.timeouts,
  non2xx: result.non2xx,
};
process.stdout.write(JSON.stringify(summary));
