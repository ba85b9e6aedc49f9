/**
 * The benchmarks' national data set: `generateNationalData` from `src/generate/`, without evidence and
 * complaints unless asked for, so that the plan's and the statistics' benchmarks load what they measure
 * and no more. `inspectorate generate` builds the whole set.
 */
import type { Db } from '../src/db/database.js';
import {
  generateNationalData as generate,
  type NationalDataCounts,
  type NationalDataOptions,
} from '../src/generate/national-data.js';

export type { NationalDataCounts, NationalDataOptions };

export function generateNationalData(db: Db, options: NationalDataOptions): Promise<NationalDataCounts> {
  return generate(db, { evidencePerInspection: 0, complaintRate: 0, ...options });
}
