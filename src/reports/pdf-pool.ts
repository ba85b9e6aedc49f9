import { Worker } from 'node:worker_threads';
import type { PrintableReport } from './pdf.js';
import type { PdfAnswer, PdfJob } from './pdf-thread.js';

/**
 * A few worker threads that lay out PDFs, so that a long report never holds up the thread that answers
 * every other request (two 30-second layouts once kept `/healthz` waiting 66 s). At most `workers`
 * render at once, at most `queueLength` more wait, and past that the pool refuses at once (`PdfBusy`):
 * a crowd of PDF requests gets 503s, not a growing backlog. A render that takes longer than `timeoutMs`
 * has its thread ended. Threads start on first use and end after `idleMs` without work, and never keep
 * the process alive by themselves.
 */

const ENTRY = new URL('./pdf-worker.js', import.meta.url);

export interface PdfPoolOptions {
  workers: number;
  queueLength: number;
  timeoutMs: number;
  idleMs: number;
  /** Heap of one thread: a runaway layout ends that thread, not the service. */
  heapMb: number;
}

/** The pool is full: ask again shortly. */
export class PdfBusy extends Error {
  constructor(readonly reason: 'queue-full' | 'timed-out') {
    super(reason === 'queue-full' ? 'Every PDF worker is busy' : 'The PDF took too long to lay out');
    this.name = 'PdfBusy';
  }
}

interface Waiting {
  report: PrintableReport;
  createdAt: Date;
  resolve(pdf: Buffer): void;
  reject(error: Error): void;
}

interface Running extends Waiting {
  id: number;
  timer: NodeJS.Timeout;
}

interface Slot {
  worker: Worker;
  job: Running | null;
  idleTimer: NodeJS.Timeout | null;
  /** Told to end (idle, or a job timed out): takes no more work. */
  ending: boolean;
}

export class PdfPool {
  readonly #options: PdfPoolOptions;
  readonly #slots = new Set<Slot>();
  readonly #queue: Waiting[] = [];
  #nextId = 1;
  #closed = false;

  constructor(options: PdfPoolOptions) {
    this.#options = options;
  }

  /** Threads running now and jobs waiting for one. */
  get size() {
    return { threads: this.#slots.size, waiting: this.#queue.length };
  }

  render(report: PrintableReport, createdAt: Date): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      const job: Waiting = { report, createdAt, resolve, reject };
      if (this.#closed) return reject(new Error('The PDF pool is closed'));
      const free = [...this.#slots].find((slot) => slot.job === null && !slot.ending);
      if (free) return this.#run(free, job);
      if (this.#slots.size < this.#options.workers) return this.#run(this.#start(), job);
      if (this.#queue.length >= this.#options.queueLength) return reject(new PdfBusy('queue-full'));
      this.#queue.push(job);
    });
  }

  /** Ends every thread; jobs still waiting or running fail. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#queue.splice(0)) job.reject(new Error('The PDF pool is closed'));
    await Promise.all([...this.#slots].map((slot) => slot.worker.terminate()));
  }

  #start(): Slot {
    const worker = new Worker(ENTRY, {
      resourceLimits: { maxOldGenerationSizeMb: this.#options.heapMb },
    });
    worker.unref();
    const slot: Slot = { worker, job: null, idleTimer: null, ending: false };
    this.#slots.add(slot);
    worker.on('message', (answer: PdfAnswer) => {
      const job = slot.job;
      if (!job || job.id !== answer.id) return;
      this.#finish(slot);
      if ('pdf' in answer)
        job.resolve(Buffer.from(answer.pdf.buffer, answer.pdf.byteOffset, answer.pdf.length));
      else job.reject(new Error(`The PDF could not be laid out: ${answer.error}`));
      this.#next(slot);
    });
    worker.on('error', (error) => {
      // The thread is ending: its job fails, and 'exit' below starts another for the queue.
      const job = slot.job;
      if (job) {
        this.#finish(slot);
        job.reject(error);
      }
    });
    worker.on('exit', () => {
      this.#slots.delete(slot);
      if (slot.idleTimer) clearTimeout(slot.idleTimer);
      const job = slot.job;
      if (job) {
        this.#finish(slot);
        job.reject(new Error('The PDF worker stopped'));
      }
      const waiting = this.#closed ? undefined : this.#queue.shift();
      if (waiting) this.#run(this.#start(), waiting);
    });
    return slot;
  }

  #run(slot: Slot, waiting: Waiting) {
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    slot.idleTimer = null;
    const id = this.#nextId++;
    const timer = setTimeout(() => {
      if (slot.job?.id !== id) return;
      const job = slot.job;
      this.#finish(slot);
      job.reject(new PdfBusy('timed-out'));
      this.#end(slot);
    }, this.#options.timeoutMs);
    timer.unref();
    slot.job = { ...waiting, id, timer };
    const message: PdfJob = { id, report: waiting.report, createdAt: waiting.createdAt };
    slot.worker.postMessage(message);
  }

  #finish(slot: Slot) {
    if (slot.job) clearTimeout(slot.job.timer);
    slot.job = null;
  }

  /** The next waiting job, or an idle clock that ends the thread. */
  #next(slot: Slot) {
    const waiting = this.#queue.shift();
    if (waiting) return this.#run(slot, waiting);
    slot.idleTimer = setTimeout(() => this.#end(slot), this.#options.idleMs);
    slot.idleTimer.unref();
  }

  #end(slot: Slot) {
    slot.ending = true;
    void slot.worker.terminate();
  }
}
