/**
 * Recently used PDFs in memory, at most `maxBytes` of them; the least recently used go first.
 *
 * Only a published version is kept: versions are append-only, so a published version's PDF never
 * changes and is worth laying out once. Memory rather than the database: the bytes can always be made
 * again, each instance fills its own cache with the reports actually asked for, and nothing is written
 * on a read. A PDF larger than a quarter of the cache is not kept, so one report cannot empty it.
 */
export class PdfCache {
  readonly #entries = new Map<string, Buffer>();
  #bytes = 0;

  constructor(readonly maxBytes: number) {}

  get bytes(): number {
    return this.#bytes;
  }

  get(key: string): Buffer | undefined {
    const pdf = this.#entries.get(key);
    if (pdf) {
      // Map keeps insertion order: re-inserting marks it the most recently used.
      this.#entries.delete(key);
      this.#entries.set(key, pdf);
    }
    return pdf;
  }

  set(key: string, pdf: Buffer): void {
    if (pdf.length > this.maxBytes / 4) return;
    const old = this.#entries.get(key);
    if (old) {
      this.#entries.delete(key);
      this.#bytes -= old.length;
    }
    this.#entries.set(key, pdf);
    this.#bytes += pdf.length;
    for (const [oldest, bytes] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= bytes.length;
    }
  }
}
