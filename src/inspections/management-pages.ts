import type { FastifyInstance } from 'fastify';

/** Planning inspections, conflicts of interest, moderation and the flawed-inspection protocol. */
export async function inspectionManagementPages(_app: FastifyInstance) {}
