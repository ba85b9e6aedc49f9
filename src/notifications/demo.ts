import type { Db } from '../db/database.js';
import type { DemoPeople } from '../demo/seed.js';

export async function seedNotificationsDemo(_db: Db, _people: DemoPeople): Promise<void> {}
