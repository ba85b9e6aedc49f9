import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/database.js';
import { auditEntriesRecorded, chainWaitingEntries } from './store.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Links committed audit entries into the hash chain, off every request's path. */
    auditChaining: AuditChaining;
  }
}

/** How soon to look again after giving way to another process's chainer, which may have just missed ours. */
const RETRY_AFTER_MS = 250;

/**
 * Runs the chainer in the background for one process: at most one run at a time here (a request that
 * commits while one is running asks for one more run after it, so runs batch up under load), and across
 * processes the chainer's lock lets one work while the others give way. Errors are logged, never thrown.
 */
export class AuditChaining {
  private running: Promise<void> | null = null;
  private again = false;
  private seen = -1;
  private retry: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly logError: (error: unknown) => void,
  ) {}

  /** After a request: chains if this process has recorded entries since the last run started. */
  afterCommit(): void {
    if (auditEntriesRecorded() !== this.seen) this.kick();
  }

  /** Chains whatever is waiting, from this process or any other, without waiting for it. */
  kick(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.seen = auditEntriesRecorded();
    this.running = chainWaitingEntries(this.db)
      .then((result) => {
        if (result.skipped) this.retryLater();
      })
      .catch((error: unknown) => this.logError(error))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Stops starting runs and waits for the one in progress, so the database can be closed after. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    while (this.running) await this.running;
  }

  private retryLater() {
    if (this.retry || this.closed) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      this.kick();
    }, RETRY_AFTER_MS);
    this.retry.unref();
  }
}

/**
 * Chaining after each response: the request's transaction has committed by then, and the response has
 * gone, so no request waits for the chain. The deadline worker also chains on every sweep (entries left
 * by a process that stopped before chaining them), and the verifier chains before it reads.
 */
export function registerAuditChaining(app: FastifyInstance) {
  const chaining = new AuditChaining(app.db, (error) =>
    app.log.error({ err: error }, 'audit chaining failed; the entries wait for the next run'),
  );
  app.decorate('auditChaining', chaining);
  app.addHook('onResponse', async () => {
    chaining.afterCommit();
  });
  app.addHook('onClose', () => chaining.close());
}
