import type { TestProject } from 'vitest/node';
import {
  buildEmbeddedOriginals,
  buildServerOriginals,
  demoToday,
  type DatabaseCopies,
  type Originals,
} from './copies.js';
import { serverAnswers } from './databases.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseCopies: DatabaseCopies;
  }
}

/**
 * Migrates and loads the demo data once per run, on PGlite and (for the integration tests, when it
 * answers) on the PostgreSQL server; each test file then starts from a copy (see copies.ts). The
 * integration and browser projects both name this file and share what it builds, which is removed
 * when the last of them ends.
 */

interface Built<T> {
  originals: T;
  remove(): void | Promise<void>;
}

interface Shared {
  embedded?: Promise<Built<Originals>>;
  postgres?: Promise<Built<Originals & { run: string }> | null>;
  demoDate: string;
  users: number;
}

const key = Symbol.for('inspectorate.test.databaseCopies');
const store = globalThis as unknown as Record<symbol, Shared | undefined>;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const shared = (store[key] ??= { demoDate: demoToday(), users: 0 });
  shared.users += 1;
  const wantsServer = project.name !== 'browser';
  // Both databases at once: the PGlite build is mostly CPU in this process, the server's in PostgreSQL.
  shared.embedded ??= buildEmbeddedOriginals();
  if (wantsServer) shared.postgres ??= serverAnswers().then((up) => (up ? buildServerOriginals() : null));
  const [embedded, postgres] = await Promise.all([shared.embedded, wantsServer ? shared.postgres : null]);
  project.provide('databaseCopies', {
    embedded: embedded.originals,
    postgres: postgres?.originals ?? null,
    demoDate: shared.demoDate,
  });
  return async () => {
    shared.users -= 1;
    if (shared.users > 0) return;
    store[key] = undefined;
    const built = await Promise.allSettled([shared.embedded, shared.postgres]);
    for (const outcome of built) if (outcome.status === 'fulfilled') await outcome.value?.remove();
  };
}
