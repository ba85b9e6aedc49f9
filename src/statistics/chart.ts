import { cellText, type Figure } from './figures.js';

/**
 * A horizontal bar chart of a figure as SVG, drawn on the server so that it needs no script. The figure's
 * table beside it is the accessible alternative; the chart carries a title that says so and names the
 * largest bar. Presentation attributes only: the content security policy forbids inline styles.
 */

const WIDTH = 640;
const LABEL_HEIGHT = 20;
const BAR_HEIGHT = 18;
const GAP = 12;
const VALUE_ROOM = 70;
const INK = '#0b0c0c';
const BAR = '#1d70b8';

function escape(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Null when the figure has no chart or nothing to draw (every bar would be zero). */
export function barChart(figure: Figure, id = 'chart'): string | null {
  const chart = figure.chart;
  if (!chart) return null;
  const valueColumn = figure.columns.find((c) => c.key === chart.value)!;
  const bars = figure.rows.map((row) => ({
    label: chart.label
      .map((key) => row[key])
      .filter((part) => part !== null && part !== undefined && part !== '')
      .join(': '),
    value: typeof row[chart.value] === 'number' ? (row[chart.value] as number) : 0,
    text: cellText(valueColumn, row[chart.value]),
  }));
  const largest = Math.max(0, ...bars.map((bar) => bar.value));
  if (bars.length === 0 || largest <= 0) return null;

  const top = bars.reduce((best, bar) => (bar.value > best.value ? bar : best));
  const title = `Bar chart: ${valueColumn.label} by ${figure.columns.find((c) => c.key === chart.label[chart.label.length - 1])?.label.toLowerCase() ?? 'group'}. The largest is ${top.label} (${top.text}). The table gives every figure.`;
  const rowHeight = LABEL_HEIGHT + BAR_HEIGHT + GAP;
  const height = bars.length * rowHeight;
  const scale = (WIDTH - VALUE_ROOM) / largest;
  const parts = bars.map((bar, index) => {
    const y = index * rowHeight;
    const length = Math.max(bar.value > 0 ? 2 : 0, Math.round(bar.value * scale));
    return [
      `<text x="0" y="${y + 15}" font-size="16" fill="${INK}">${escape(bar.label)}</text>`,
      `<rect x="0" y="${y + LABEL_HEIGHT}" width="${length}" height="${BAR_HEIGHT}" fill="${BAR}"/>`,
      `<text x="${length + 6}" y="${y + LABEL_HEIGHT + 14}" font-size="16" font-weight="bold" fill="${INK}">${escape(bar.text)}</text>`,
    ].join('');
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img" aria-labelledby="${id}-title"` +
    ` viewBox="0 0 ${WIDTH} ${height}" width="100%" font-family="GDS Transport, arial, sans-serif">` +
    `<title id="${id}-title">${escape(title)}</title>${parts.join('')}</svg>`
  );
}
