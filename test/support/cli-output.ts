import { afterEach, beforeEach, vi } from 'vitest';

/**
 * What the command line writes during each test of the file that calls this: stdout and stderr caught
 * afresh before every test, and let through again after it.
 */
export function captureCliOutput(): { stdout: string; stderr: string } {
  const output = { stdout: '', stderr: '' };
  beforeEach(() => {
    output.stdout = '';
    output.stderr = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output.stdout += String(chunk);
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output.stderr += String(chunk);
      return true;
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  return output;
}
