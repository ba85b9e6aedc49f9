import type { FastifyInstance } from 'fastify';
import { runDueDeadlines, type DeadlineAction } from './store.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** What happens when each kind of deadline falls due; capabilities add theirs when they register. */
    deadlineActions: Map<string, DeadlineAction>;
  }
}

export function registerDeadlineActions(app: FastifyInstance) {
  app.decorate('deadlineActions', new Map<string, DeadlineAction>());
}

/**
 * Sweeps for due deadlines at start-up (catching up on any that fell due while the service was down)
 * and then every `intervalSeconds`, until the server closes. Each sweep also starts the audit chainer.
 */
export function startDeadlineWorker(app: FastifyInstance, intervalSeconds: number) {
  let running: Promise<unknown> = Promise.resolve();
  const sweep = () => {
    // Beside the sweep, not inside it, so neither waits for the other: this chains what a process that
    // stopped before chaining its entries left behind.
    app.auditChaining.kick();
    running = running
      .then(() => runDueDeadlines(app.db, app.deadlineActions, app.clock.now()))
      .then((result) => {
        if (result.done || result.failed) app.log.info(result, 'deadlines acted on');
        // The actions' own audit entries.
        app.auditChaining.afterCommit();
      })
      .catch((error: unknown) => app.log.error({ err: error }, 'deadline sweep failed'));
    return running;
  };
  void sweep();
  const timer = setInterval(sweep, intervalSeconds * 1000);
  timer.unref();
  app.addHook('onClose', async () => {
    clearInterval(timer);
    await running;
  });
}
