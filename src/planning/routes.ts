import type { FastifyInstance } from 'fastify';

export async function planningRoutes(_app: FastifyInstance) {}
