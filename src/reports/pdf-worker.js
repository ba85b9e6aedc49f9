// The entry of a PDF worker thread (see pdf-pool.ts). A worker thread does not share its parent's module
// hooks, so it registers tsx itself, as bin/inspectorate.js does: the same file then runs under
// `npm start`, tsx and vitest alike.
import { register } from 'tsx/esm/api';

register();
await import('./pdf-thread.ts');
