import type { Trx } from '../db/database.js';

/**
 * What must follow, in the same transaction, when an inspection's standing changes: its report takes
 * the standing grades, and is withdrawn when the inspection is declared incomplete. The reports
 * capability provides these (src/reports/follow.ts) and the app hands them to the inspection routes
 * (`app.inspectionFollowers`), so inspections need not import reports, which imports inspections. They
 * read the app's clock for the day of the change.
 */
export interface InspectionChange {
  actorId: string;
  inspectionId: string;
  /** Why, in words the provider reads. */
  note: string;
}

export interface InspectionFollowers {
  gradesChanged(trx: Trx, change: InspectionChange): Promise<void>;
  declaredIncomplete(trx: Trx, change: InspectionChange): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    inspectionFollowers: InspectionFollowers;
  }
}
