import { readlinkSync } from 'node:fs';
import os from 'node:os';
import { parentPort } from 'node:worker_threads';
import { reportPdf, type PrintableReport } from './pdf.js';

/** What runs inside a PDF worker thread: one report in, its PDF out, one at a time. */

/**
 * Layout yields to the thread that answers requests: the scheduler shares a process's CPU among its
 * threads, and on a busy machine two layouts at normal priority held `/healthz` up for 250 to 450 ms.
 * On Linux a thread has its own niceness, set through its thread id; elsewhere this does nothing.
 */
function yieldToRequests() {
  try {
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (threadId > 0) os.setPriority(threadId, 10);
  } catch {
    // Not Linux, or not allowed: the thread keeps its priority.
  }
}

if (parentPort) yieldToRequests();

export interface PdfJob {
  id: number;
  report: PrintableReport;
  createdAt: Date;
}

export type PdfAnswer = { id: number; pdf: Uint8Array } | { id: number; error: string };

parentPort?.on('message', async (job: PdfJob) => {
  let answer: PdfAnswer;
  try {
    // A copy with a buffer of its own, so that handing it over moves no other data.
    answer = { id: job.id, pdf: new Uint8Array(await reportPdf(job.report, job.createdAt)) };
  } catch (error) {
    answer = { id: job.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  parentPort!.postMessage(answer, 'pdf' in answer ? [answer.pdf.buffer as ArrayBuffer] : []);
});
