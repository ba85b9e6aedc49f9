/** Items for the GOV.UK pagination component: first, last, the current page and its neighbours. */
export function paginationFor(page: number, totalPages: number, hrefFor: (page: number) => string) {
  if (totalPages <= 1) return null;
  const shown = new Set([1, totalPages, page - 1, page, page + 1].filter((n) => n >= 1 && n <= totalPages));
  const numbers = [...shown].sort((a, b) => a - b);
  const items: ({ number: number; href: string; current: boolean } | { ellipsis: true })[] = [];
  numbers.forEach((n, index) => {
    if (index > 0 && n - numbers[index - 1]! > 1) items.push({ ellipsis: true });
    items.push({ number: n, href: hrefFor(n), current: n === page });
  });
  return {
    items,
    previous: page > 1 ? { href: hrefFor(page - 1) } : undefined,
    next: page < totalPages ? { href: hrefFor(page + 1) } : undefined,
  };
}

/** A query string with empty values left out, for links that keep the current search. */
export function queryString(values: Record<string, string | number | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
