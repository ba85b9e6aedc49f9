import { parentPort } from 'node:worker_threads';
import { reportPdf, type PrintableReport } from './pdf.js';

/** What runs inside a PDF worker thread: one report in, its PDF out, one at a time. */

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
