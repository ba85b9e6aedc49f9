import type { FastifyInstance } from 'fastify';

export async function concernRoutes(_app: FastifyInstance) {}
