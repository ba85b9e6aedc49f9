import type { Db } from '../db/database.js';
import type { DemoPeople } from '../demo/seed.js';

export async function seedConcernsDemo(_db: Db, _people: DemoPeople): Promise<void> {}
