/**
 * `/healthz` while report PDFs are laid out: the service as `npm start` runs it (`node bin/inspectorate.js
 * serve` on a fresh DATA_DIR, with its demo data), a draft report whose narrative is one word of 100,000
 * characters (what the outside probe sent), and BENCH_PDF_CLIENTS clients asking for its PDF over and over
 * for BENCH_PDF_SECONDS (a draft's PDF is never kept, so every request is a layout). `/healthz` is asked
 * every 50 ms, first for 5 s with no PDF asked for (what the machine's other work costs it), then
 * throughout. Then a burst of BENCH_PDF_BURST requests at once: the pool takes PDF_WORKERS × 5 and refuses
 * the rest with 503 and Retry-After.
 *
 * Goal: /healthz stays under 200 ms while PDFs render (its slowest answer). Before PDFs moved to worker
 * threads such a word took 30 s on the thread that answers requests, and /healthz waited 66 s behind two.
 *
 *   npx tsx bench/pdf.ts        (also part of `npm run bench`; about a minute)
 *
 * Settings (environment): BENCH_PDF_CLIENTS (6), BENCH_PDF_SECONDS (20), BENCH_PDF_BURST (30), and the
 * service's own PDF_WORKERS (2).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { numberSetting } from './settings.js';

const CLIENTS = numberSetting('BENCH_PDF_CLIENTS', 6);
const SECONDS = numberSetting('BENCH_PDF_SECONDS', 20);
const BURST = numberSetting('BENCH_PDF_BURST', 30);
const WORKERS = numberSetting('PDF_WORKERS', 2);
const GOAL_MS = 200;
const DEMO_PASSWORD = 'demo-password-2026';
const NARRATIVE = 'x'.repeat(100_000);

let running: ChildProcess | null = null;
const IDLE_SECONDS = 5;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
}

/** /healthz every 50 ms until `until`: each answer's time in ms, sorted. */
async function probe(base: string, until: number): Promise<number[]> {
  const times: number[] = [];
  while (Date.now() < until) {
    const [status, ms] = await timed(async () => (await fetch(`${base}/healthz`)).status);
    if (status !== 200) throw new Error(`/healthz answered ${status}`);
    times.push(ms);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return times.sort((a, b) => a - b);
}

async function main() {
  console.log(
    `/healthz while report PDFs are laid out\n` +
      `machine: ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; ` +
      `load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(', ')}\n` +
      `PDF_WORKERS ${WORKERS}, ${CLIENTS} clients for ${SECONDS} s, then a burst of ${BURST}`,
  );
  const dir = await mkdtemp(path.join(os.tmpdir(), 'inspectorate-bench-pdf-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['bin/inspectorate.js', 'serve'], {
    cwd: path.resolve(import.meta.dirname, '..'),
    // Only what an operator would set.
    env: {
      PATH: process.env.PATH ?? '',
      HOME: os.homedir(),
      DATA_DIR: dir,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      PDF_WORKERS: String(WORKERS),
      SIGN_IN_RATE_LIMIT: '1000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  running = child;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the service stopped (${child.exitCode})`);
      const answer = await fetch(`${base}/healthz`).catch(() => null);
      if (answer?.status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const signIn = await fetch(`${base}/api/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'inspector@demo.invalid', password: DEMO_PASSWORD }),
    });
    if (signIn.status !== 201) throw new Error(`the demo inspector could not sign in (${signIn.status})`);
    const headers = { authorization: `Bearer ${((await signIn.json()) as { token: string }).token}` };

    // A draft with the long word, on an inspection of the inspector's own that has had its feedback.
    const inspections = (await (
      await fetch(`${base}/api/inspections?status=feedback-given&mine=true&pageSize=100`, { headers })
    ).json()) as { items: { id: string }[] };
    let url: string | null = null;
    for (const inspection of inspections.items) {
      const issued = await fetch(`${base}/api/inspections/${inspection.id}/report`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ narrative: NARRATIVE }),
      });
      if (issued.status !== 201) continue;
      url = `${base}/api/reports/${((await issued.json()) as { id: string }).id}/pdf`;
      break;
    }
    if (!url) throw new Error('no inspection of the demo inspector could have a draft issued');
    const pdfUrl = url;

    // Its PDF once, alone (the first also starts a worker thread).
    for (const when of ['first', 'second']) {
      const [response, ms] = await timed(() => fetch(pdfUrl, { headers }));
      const bytes = (await response.arrayBuffer()).byteLength;
      console.log(
        `  ${when} PDF alone: ${response.status}, ${bytes.toLocaleString('en-GB')} bytes in ${ms.toFixed(0)} ms`,
      );
    }

    // /healthz with no PDF asked for: what the machine's other work costs it.
    const idle = await probe(base, Date.now() + IDLE_SECONDS * 1000);

    // Clients asking for PDFs over and over, and /healthz every 50 ms meanwhile.
    const until = Date.now() + SECONDS * 1000;
    const pdfTimes: number[] = [];
    const statuses = new Map<number, number>();
    const clients = Array.from({ length: CLIENTS }, async () => {
      while (Date.now() < until) {
        const [status, ms] = await timed(async () => {
          const response = await fetch(pdfUrl, { headers });
          await response.arrayBuffer();
          return response.status;
        });
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status === 200) pdfTimes.push(ms);
        else await new Promise((resolve) => setTimeout(resolve, 500));
      }
    });
    const prober = probe(base, until);
    const [health] = await Promise.all([prober, ...clients]);
    pdfTimes.sort((a, b) => a - b);
    const p50 = percentile(health, 50);
    const max = health[health.length - 1]!;
    const met = max < GOAL_MS ? 'met' : 'NOT met';

    // A burst: more at once than the pool takes.
    const [burst, burstMs] = await timed(() =>
      Promise.all(
        Array.from({ length: BURST }, async () => {
          const response = await fetch(pdfUrl, { headers });
          await response.arrayBuffer();
          return { status: response.status, retryAfter: response.headers.get('retry-after') };
        }),
      ),
    );
    const refused = burst.filter((b) => b.status === 503);

    console.log(
      `\n| measure | figure |\n|---|--:|\n` +
        `| /healthz p50 / max with no PDF asked for (the machine's own noise) | ${percentile(idle, 50).toFixed(1)} / ${idle[idle.length - 1]!.toFixed(1)} ms |\n` +
        `| /healthz p50 while PDFs render | ${p50.toFixed(1)} ms |\n` +
        `| /healthz p99 | ${percentile(health, 99).toFixed(1)} ms |\n` +
        `| /healthz max (goal < ${GOAL_MS} ms: ${met}) | ${max.toFixed(1)} ms |\n` +
        `| /healthz answers | ${health.length} |\n` +
        `| PDFs laid out | ${pdfTimes.length} (${(pdfTimes.length / SECONDS).toFixed(1)}/s), answers ${JSON.stringify(Object.fromEntries(statuses))} |\n` +
        `| PDF time p50 / max | ${percentile(pdfTimes, 50).toFixed(0)} / ${pdfTimes[pdfTimes.length - 1]?.toFixed(0)} ms |\n` +
        `| burst of ${BURST}: laid out / refused with 503 | ${burst.filter((b) => b.status === 200).length} / ${refused.length} (Retry-After ${refused[0]?.retryAfter ?? '–'}), all answered in ${burstMs.toFixed(0)} ms |\n\n` +
        `Goal: /healthz stays under ${GOAL_MS} ms while PDFs render: ${met}. Load average at the end ${os
          .loadavg()
          .map((l) => l.toFixed(2))
          .join(', ')}.`,
    );
  } finally {
    const exited = new Promise((resolve) => child.once('close', resolve));
    child.kill('SIGTERM');
    await exited;
    running = null;
    await rm(dir, { recursive: true, force: true });
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    running?.kill('SIGTERM');
    process.exitCode = 130;
  });
}

await main();
