import type { FastifyInstance } from 'fastify';

/** The inspector's workspace: the inspection's task list, evidence, lines of enquiry, dialogue, judgements, findings, feedback. */
export async function inspectionPages(_app: FastifyInstance) {}
