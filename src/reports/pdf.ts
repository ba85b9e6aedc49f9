import PDFDocument from 'pdfkit';
import { formatLongDate } from '../calendar/working-days.js';
import { PROVIDER_TYPES } from '../providers/rules.js';
import { printableText, shortened } from './pdf-text.js';
import {
  inspectionDates,
  regulationCitation,
  withInstruments,
  type ReportContent,
  type ReportStatus,
} from './rules.js';

export interface PrintableReport {
  status: ReportStatus;
  draftIssuedOn: string;
  finalisedOn: string | null;
  publishedOn: string | null;
  version: number;
  narrative: string;
  content: ReportContent;
}

const MARGIN = 56;
const INK = '#0b0c0c';
const GREY = '#505a5f';

/**
 * The report as a PDF on A4: the same facts, grades, findings and narrative as its page. Every text
 * goes through `printableText`, which bounds the cost of its layout; this runs in a worker thread
 * (`pdf-pool.ts`), never on the thread that answers requests.
 */
/** What a PDF of a report not (or never to be) published says at its head. */
const UNPUBLISHED_MARK: Record<Exclude<ReportStatus, 'published'>, string> = {
  draft: 'DRAFT: not for publication',
  final: 'FINAL: not yet published',
  withdrawn: 'WITHDRAWN: the inspection was declared incomplete; not for publication',
};

export function reportPdf(report: PrintableReport, createdAt: Date): Promise<Buffer> {
  const content = withInstruments(report.content);
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    bufferPages: true,
    info: {
      Title: `Inspection report: ${content.provider.name}`,
      Subject: `${content.framework.name}, ${inspectionDates(content)}`,
      Creator: 'Inspectorate',
      CreationDate: createdAt,
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const heading = (text: string, size = 15) => {
    doc.moveDown(0.8).font('Helvetica-Bold').fontSize(size).fillColor(INK).text(printableText(text));
    doc.moveDown(0.3);
  };
  const body = (text: string, options: PDFKit.Mixins.TextOptions = {}) =>
    doc.font('Helvetica').fontSize(11).fillColor(INK).text(printableText(text), options);
  const fact = (key: string, value: string) => {
    doc.font('Helvetica-Bold').fontSize(11).fillColor(INK).text(`${key}: `, { continued: true });
    doc.font('Helvetica').text(printableText(value));
  };

  doc.font('Helvetica-Bold').fontSize(24).fillColor(INK).text('Inspection report');
  doc.font('Helvetica').fontSize(16).text(printableText(content.provider.name));
  if (report.status !== 'published') {
    doc
      .moveDown(0.5)
      .font('Helvetica-Bold')
      .fontSize(12)
      .fillColor('#d4351c')
      .text(UNPUBLISHED_MARK[report.status]);
  }
  doc.moveDown(0.8);
  fact('Unique reference number', content.provider.urn);
  fact(
    'Provider type',
    PROVIDER_TYPES[content.provider.type as keyof typeof PROVIDER_TYPES] ?? content.provider.type,
  );
  fact('Local authority', content.provider.localAuthority);
  fact('Inspection dates', inspectionDates(content));
  fact('Framework', content.framework.name);
  fact('Draft issued', formatLongDate(report.draftIssuedOn));
  if (report.finalisedOn) fact('Finalised', formatLongDate(report.finalisedOn));
  if (report.publishedOn) fact('Published', formatLongDate(report.publishedOn));
  fact('Version', String(report.version));
  for (const amendment of content.amendments ?? []) {
    doc.moveDown(0.3);
    body(
      `Amended on ${formatLongDate(amendment.on)} following a complaint (${amendment.complaint}): ${amendment.note}`,
    );
  }

  heading('Overall grade');
  if (content.overallGrade) {
    doc.font('Helvetica-Bold').fontSize(13).fillColor(INK).text(printableText(content.overallGrade.label));
    if (content.overallGrade.limitedBy.length > 0) {
      body(`Limited by: ${content.overallGrade.limitedBy.join(', ')}`, {});
    }
  } else {
    body('Not graded');
  }

  heading('Judgements');
  for (const judgement of content.judgements) {
    doc
      .font('Helvetica')
      .fontSize(11)
      .fillColor(INK)
      .text(printableText(`${judgement.areaName}: `), { continued: true });
    doc.font('Helvetica-Bold').text(printableText(judgement.gradeLabel));
    doc.moveDown(0.2);
  }

  heading('Requirements');
  if (content.requirements.length === 0) body('None.');
  content.requirements.forEach((requirement, index) => {
    doc
      .font('Helvetica-Bold')
      .fontSize(11)
      .fillColor(INK)
      .text(printableText(`${index + 1}. ${regulationCitation(requirement)}`));
    body(requirement.action, { indent: 14 });
    doc
      .font('Helvetica-Oblique')
      .fontSize(10)
      .fillColor(GREY)
      .text(printableText(requirement.impact), { indent: 14 });
    body(`Comply by ${formatLongDate(requirement.complyBy)}`, { indent: 14 });
    doc.moveDown(0.4);
  });

  heading('Recommendations');
  if (content.recommendations.length === 0) body('None.');
  content.recommendations.forEach((recommendation, index) => {
    body(`${index + 1}. ${recommendation.text}`);
    doc
      .font('Helvetica')
      .fontSize(10)
      .fillColor(GREY)
      .text(
        printableText(
          `${recommendation.guide}, page ${recommendation.page}, paragraph ${recommendation.paragraph}`,
        ),
        { indent: 14 },
      );
    doc.moveDown(0.4);
  });

  heading('The inspection');
  for (const paragraph of narrativeParagraphs(report.narrative)) {
    body(paragraph, { align: 'left' });
    doc.moveDown(0.5);
  }

  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // Writing inside the bottom margin would otherwise start a new page.
    doc.page.margins.bottom = 0;
    const bottom = doc.page.height - MARGIN / 2 - 10;
    doc
      .font('Helvetica')
      .fontSize(9)
      .fillColor(GREY)
      .text(
        // One line, unwrapped: a long name is shortened rather than run off the page.
        `${shortened(content.provider.name, 80)}, URN ${shortened(content.provider.urn, 20)}: page ${i + 1} of ${range.count}`,
        MARGIN,
        bottom,
        {
          width: doc.page.width - 2 * MARGIN,
          align: 'center',
          lineBreak: false,
        },
      );
  }
  doc.end();
  return finished;
}

/** The narrative as its paragraphs: blank lines separate them. */
export function narrativeParagraphs(narrative: string): string[] {
  return narrative
    .split(/\r?\n\s*\r?\n/)
    .map((paragraph) => paragraph.trim())
    .filter(Boolean);
}
