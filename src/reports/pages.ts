import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { today } from '../clock.js';
import { paginationFields } from '../fields.js';
import { hasOpenComplaint } from '../complaints/store.js';
import { cursorOf, keysetHref, keysetPagination, shownRange } from '../db/keyset-http.js';
import type { ResponseRoute } from '../frameworks/types.js';
import { resourceOf, visibleInspection } from '../inspections/access.js';
import { inspectionRecord } from '../inspections/record.js';
import type { Inspection } from '../inspections/store.js';
import { can, providerScope } from '../people/policy.js';
import { PROVIDER_TYPES } from '../providers/rules.js';
import { authorise, requirePerson } from '../web/access.js';
import {
  formOptional,
  formText,
  idOf,
  placeOn,
  postForm,
  savedBanner,
  type FormBody,
  type FormState,
} from '../web/forms.js';
import { paginationFor, queryString } from '../web/pagination.js';

import { fieldErrorsOf, notFound, Refusal } from '../refusal.js';
import { narrativeParagraphs } from './pdf.js';
import { inspectionTimeline, mayFollowReport, readableReport, sendReportPdf } from './access.js';
import { carriesPoints, inspectionDates, issueRefusal, RESPONSE_ROUTES } from './rules.js';
import { amendBody, decisionBody, GRADES, issueBody, responseBody, searchQuery } from './schemas.js';
import { decidePoint, respondToDraft } from './answers.js';
import { amendNarrative, issueDraft } from './drafts.js';
import { finaliseReport, publishReport } from './publication.js';
import {
  localAuthoritiesWithReports,
  REPORT_ORDER,
  searchPublishedReports,
  unpublishedReports,
  type ReportSummary,
} from './search.js';
import { reportOfInspection, type Report } from './store.js';

const hidden = { schema: { hide: true } };
const view = (name: string) => `reports/views/${name}.njk`;

/** Rows of passage and comment offered on the response form; rows left empty are left out. */
export const POINT_ROWS = 5;

const BANNERS: Record<string, string> = {
  issued: 'The draft report has been issued and the provider told',
  amended: 'The narrative has been amended: a new version is saved and the earlier ones kept',
  decided: 'Decision recorded',
  finalised: 'The report is final and the provider has been told',
  published: 'The report is published',
};

const bannerFor = (request: FastifyRequest) => savedBanner(request, BANNERS);

/** How many reports in progress the search page shows before linking to the whole list. */
const UNPUBLISHED_PREVIEW = 10;

const pageQuery = z.object(paginationFields(25));

/** A form that is only a button: nothing to check before the change. */
const noFields = z.object({});

/** A report in progress as its row shows it: whether the provider may still answer the draft. */
const inProgressRow = (r: ReportSummary, on: string) => ({
  ...r,
  dates: inspectionDates(r),
  awaitingResponse: r.status === 'draft' && !r.responded && on <= r.responseDue,
});

function routeChoices(report: Report, checked: string | undefined) {
  return report.procedure.responseRoutes.map((route) => ({
    value: route,
    text: RESPONSE_ROUTES[route],
    checked: route === checked || report.procedure.responseRoutes.length === 1,
  }));
}

export async function reportPages(app: FastifyInstance) {
  const db = app.db;

  // ---- Public search ----

  app.get('/reports', { ...hidden, config: { access: 'public' } }, async (request, reply) => {
    const person = request.person;
    const raw = Object.fromEntries(
      Object.entries(request.query as Record<string, unknown>).filter(
        ([, value]) => typeof value === 'string' && value !== '',
      ),
    );
    const parsed = searchQuery.safeParse(raw);
    const search = parsed.success ? parsed.data : searchQuery.parse({});
    const errors = parsed.success ? [] : fieldErrorsOf(parsed.error);
    const scope = providerScope(person);
    const [result, localAuthorities, unpublished] = await Promise.all([
      // A cursor that cannot be read (an old or cut-off link) starts the list again.
      searchPublishedReports(db, {
        ...search,
        cursor: parsed.success ? cursorOf(REPORT_ORDER, raw.cursor) : undefined,
      }),
      localAuthoritiesWithReports(db),
      unpublishedReports(db, scope, { page: 1, pageSize: UNPUBLISHED_PREVIEW }),
    ]);
    const keep = {
      q: search.q,
      type: search.type,
      localAuthority: search.localAuthority,
      grade: search.grade,
    };
    const on = today(app.clock);
    return reply.page(view('search'), {
      title: 'Inspection reports',
      search: keep,
      result,
      errors,
      providerTypes: PROVIDER_TYPES,
      localAuthorities,
      grades: GRADES,
      filtered: Boolean(search.q || search.type || search.localAuthority || search.grade),
      pagination: keysetPagination(result, keysetHref('/reports', keep)),
      ...shownRange(result),
      staff: scope.kind === 'all',
      unpublishedTitle: scope.kind === 'all' ? 'Reports not yet published' : 'Reports for your providers',
      unpublished: { ...unpublished, items: unpublished.items.map((r) => inProgressRow(r, on)) },
    });
  });

  // ---- Reports in progress, for the inspectorate and providers ----

  app.get(
    '/reports/in-progress',
    { ...hidden, config: { access: 'report.read' } },
    async (request, reply) => {
      const person = requirePerson(request);
      const scope = providerScope(person);
      if (scope.kind === 'none') throw notFound();
      const raw = Object.fromEntries(
        Object.entries(request.query as Record<string, unknown>).filter(
          ([, value]) => typeof value === 'string' && value !== '',
        ),
      );
      const parsed = pageQuery.safeParse(raw);
      const paging = parsed.success ? parsed.data : pageQuery.parse({});
      const result = await unpublishedReports(db, scope, paging);
      const on = today(app.clock);
      return reply.page(view('in-progress'), {
        title: scope.kind === 'all' ? 'Reports not yet published' : 'Reports for your providers',
        result: { ...result, items: result.items.map((r) => inProgressRow(r, on)) },
        staff: scope.kind === 'all',
        pagination: paginationFor(
          result.page,
          result.totalPages,
          (n) =>
            `/reports/in-progress${queryString({ page: n, pageSize: paging.pageSize === 25 ? undefined : paging.pageSize })}`,
        ),
        from: result.total === 0 ? 0 : (result.page - 1) * result.pageSize + 1,
        to: Math.min(result.page * result.pageSize, result.total),
      });
    },
  );

  // ---- One report ----

  app.get('/reports/:id', { ...hidden, config: { access: 'public' } }, async (request, reply) => {
    const report = await readableReport(request, idOf(request));
    const person = request.person;
    const on = today(app.clock);
    return reply.page(view('report'), {
      title: `Inspection report: ${report.content.provider.name}`,
      report,
      dates: inspectionDates(report.content),
      paragraphs: narrativeParagraphs(report.narrative),
      follow: mayFollowReport(person, report),
      staff: can(person, 'inspection.read-records'),
      canRespond:
        can(person, 'report.respond', { providerId: report.providerId }) &&
        report.status === 'draft' &&
        !report.response &&
        on <= report.responseDue,
    });
  });

  app.get('/reports/:id/pdf', { ...hidden, config: { access: 'public' } }, async (request, reply) =>
    sendReportPdf(request, reply, idOf(request)),
  );

  // ---- The provider's response to the draft ----

  /** The draft a provider user answers; anyone else is refused. */
  async function draftToAnswer(request: FastifyRequest, id: string) {
    // Signed out (say, from the link in the email), the provider is asked to sign in and brought back.
    requirePerson(request);
    const report = await readableReport(request, id);
    const person = authorise(request, 'report.respond', { providerId: report.providerId });
    return { report, person };
  }

  async function respondPage(
    request: FastifyRequest,
    reply: FastifyReply,
    report: Report,
    state: FormState = {},
  ) {
    const on = today(app.clock);
    const values = (state.posted?.values ?? {}) as Record<string, string | undefined>;
    const rows = Array.from({ length: POINT_ROWS }, (_, index) => {
      const n = index + 1;
      return {
        n,
        passage: values[`points-${n}-passage`] ?? '',
        comment: values[`points-${n}-comment`] ?? '',
      };
    });
    return reply.page(
      view('respond'),
      {
        title: 'Respond to the draft report',
        report,
        dates: inspectionDates(report.content),
        open: report.status === 'draft' && on <= report.responseDue,
        routes: routeChoices(report, values.route),
        pointRoutes: report.procedure.responseRoutes.filter(carriesPoints),
        rows,
        summary: values.summary ?? '',
        errors: state.errors ?? [],
      },
      state.status ?? 200,
    );
  }

  app.get(
    '/reports/:id/respond',
    { ...hidden, config: { access: 'report.respond' } },
    async (request, reply) => {
      const { report } = await draftToAnswer(request, idOf(request));
      if (report.response) return reply.redirect(`/reports/${report.id}/respond/confirmation`, 303);
      return respondPage(request, reply, report);
    },
  );

  app.post(
    '/reports/:id/respond',
    { ...hidden, config: { access: 'report.respond' } },
    async (request, reply) => {
      const { report, person } = await draftToAnswer(request, idOf(request));
      const form = request.body as FormBody;
      const route = formOptional(form, 'route') ?? '';
      // The rows filled in, in order; an error on the n-th point sent belongs to the row it came from.
      const filled: { row: number; passage: string; comment: string }[] = [];
      for (let n = 1; n <= POINT_ROWS; n++) {
        const passage = formText(form, `points-${n}-passage`)?.trim() ?? '';
        const comment = formText(form, `points-${n}-comment`)?.trim() ?? '';
        if (passage || comment) filled.push({ row: n, passage, comment });
      }
      const withPoints = carriesPoints(route as ResponseRoute);
      const input = {
        route,
        ...(route && withPoints
          ? { points: filled.map(({ passage, comment }) => ({ passage, comment })) }
          : {}),
        ...(route === 'formal-complaint' ? { summary: formText(form, 'summary') ?? '' } : {}),
      };
      const place = (field: string): string => {
        const point = /^points\.(\d+)\.(passage|comment)$/.exec(field);
        if (point) return `points-${filled[Number(point[1])]?.row ?? 1}-${point[2]}`;
        if (field.startsWith('points')) return 'points-1-passage';
        if (field === 'summary') return 'summary';
        return 'route';
      };
      return postForm(reply, {
        parsed: responseBody.safeParse(input),
        place,
        act: async (data) => {
          const { complaint } = await respondToDraft(db, app.clock, person, report.id, data);
          const reference = complaint ? `?reference=${encodeURIComponent(complaint.reference)}` : '';
          return `/reports/${report.id}/respond/confirmation${reference}`;
        },
        showAgain: (refused) =>
          respondPage(request, reply, report, { ...refused, posted: { form: 'respond', values: form } }),
      });
    },
  );

  app.get(
    '/reports/:id/respond/confirmation',
    { ...hidden, config: { access: 'report.respond' } },
    async (request, reply) => {
      const { report } = await draftToAnswer(request, idOf(request));
      if (!report.response) return reply.redirect(`/reports/${report.id}/respond`, 303);
      const reference = (request.query as { reference?: unknown }).reference;
      return reply.page(view('respond-confirmation'), {
        title: 'Response sent',
        report,
        response: report.response,
        routeText: RESPONSE_ROUTES[report.response.route],
        reference: typeof reference === 'string' && /^C-[0-9A-F]{8}$/.test(reference) ? reference : null,
      });
    },
  );

  // ---- The inspection team's report section ----

  async function teamPage(request: FastifyRequest, reply: FastifyReply, id: string, state: FormState = {}) {
    const inspection = await visibleInspection(request, id);
    const person = requirePerson(request);
    // The report's working side belongs to the inspectorate; providers answer on the report's own pages.
    if (!can(person, 'inspection.read-records')) throw notFound();
    const resource = resourceOf(inspection);
    const report = await reportOfInspection(db, inspection.id);
    const record = report ? null : await inspectionRecord(db, inspection.id);
    let timeline: ReturnType<typeof inspectionTimeline> | null = null;
    try {
      timeline = inspectionTimeline(inspection, report);
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
    }
    const points = report?.response?.points ?? [];
    const notYet = issueRefusal({
      status: inspection.status,
      moderationSignedOff: inspection.moderation !== null,
    });
    return reply.page(
      view('team'),
      {
        title: 'Report',
        inspection,
        record,
        report,
        timeline,
        paragraphs: report ? narrativeParagraphs(report.narrative) : [],
        routeText: report?.response ? RESPONSE_ROUTES[report.response.route] : null,
        undecided: points.filter((p) => p.decision === null).length,
        issuable: !report && notYet === null,
        notYet: notYet?.detail ?? null,
        canIssue: can(person, 'report.issue', resource),
        canDecide: can(person, 'report.decide-points', resource),
        canPublish: can(person, 'report.publish'),
        complaintOpen: report?.status === 'final' ? await hasOpenComplaint(db, inspection.id) : false,
        versions: (report?.versions ?? [])
          .map((v) => ({ ...v, paragraphs: narrativeParagraphs(v.narrative) }))
          .reverse(),
        draftStep: timeline?.steps.find((s) => s.id === 'draft-report') ?? null,
        responseStep: timeline?.steps.find((s) => s.id === 'response') ?? null,
        banner: bannerFor(request),
        errors: state.errors ?? [],
        posted: state.posted ?? null,
      },
      state.status ?? 200,
    );
  }

  /** The report of an inspection for a change by the team, or 404. */
  async function teamReport(
    request: FastifyRequest,
    id: string,
  ): Promise<{ inspection: Inspection; report: Report }> {
    const inspection = await visibleInspection(request, id);
    const report = await reportOfInspection(db, inspection.id);
    if (!report) throw notFound();
    return { inspection, report };
  }

  const reportUrl = (inspectionId: string, saved: string) =>
    `/inspections/${inspectionId}/report?saved=${saved}`;

  app.get(
    '/inspections/:id/report',
    { ...hidden, config: { access: { hidden: 'inspection.read-records' } } },
    async (request, reply) => teamPage(request, reply, idOf(request)),
  );

  app.post(
    '/inspections/:id/report',
    { ...hidden, config: { access: 'report.issue' } },
    async (request, reply) => {
      const inspection = await visibleInspection(request, idOf(request));
      const person = authorise(request, 'report.issue', resourceOf(inspection));
      const form = request.body as FormBody;
      return postForm(reply, {
        parsed: issueBody.safeParse({ narrative: formText(form, 'narrative') }),
        place: placeOn(['narrative']),
        act: async (data) => {
          const record = await inspectionRecord(db, inspection.id);
          if (!record) throw notFound();
          await issueDraft(db, app.clock, person.id, record, data.narrative);
          return reportUrl(inspection.id, 'issued');
        },
        showAgain: (refused) =>
          teamPage(request, reply, inspection.id, { ...refused, posted: { form: 'issue', values: form } }),
      });
    },
  );

  app.post(
    '/inspections/:id/report/versions',
    { ...hidden, config: { access: 'report.issue' } },
    async (request, reply) => {
      const { inspection, report } = await teamReport(request, idOf(request));
      const person = authorise(request, 'report.issue', resourceOf(inspection));
      const form = request.body as FormBody;
      const version = Number(formText(form, 'version'));
      return postForm(reply, {
        parsed: amendBody.safeParse({
          narrative: formText(form, 'narrative'),
          note: formText(form, 'note'),
          version: Number.isInteger(version) && version > 0 ? version : undefined,
        }),
        place: placeOn(['narrative', 'note']),
        act: async (data) => {
          await amendNarrative(db, app.clock, person.id, report.id, data);
          return reportUrl(inspection.id, 'amended');
        },
        showAgain: (refused) =>
          teamPage(request, reply, inspection.id, { ...refused, posted: { form: 'amend', values: form } }),
      });
    },
  );

  app.post(
    '/inspections/:id/report/points/:pointId',
    { ...hidden, config: { access: 'report.decide-points' } },
    async (request, reply) => {
      const { pointId } = request.params as { pointId: string };
      const { inspection, report } = await teamReport(request, idOf(request));
      const person = authorise(request, 'report.decide-points', resourceOf(inspection));
      if (!report.response?.points.some((p) => p.id === pointId)) throw notFound();
      const form = request.body as FormBody;
      return postForm(reply, {
        parsed: decisionBody.safeParse({
          decision: formOptional(form, 'decision'),
          reason: formText(form, 'reason'),
        }),
        place: placeOn(['decision', 'reason'], pointId),
        act: async (data) => {
          await decidePoint(db, app.clock, person.id, report.id, pointId, data);
          return `${reportUrl(inspection.id, 'decided')}#point-${pointId}`;
        },
        showAgain: (refused) =>
          teamPage(request, reply, inspection.id, {
            ...refused,
            posted: { form: `decide-${pointId}`, values: form },
          }),
      });
    },
  );

  app.post(
    '/inspections/:id/report/finalise',
    { ...hidden, config: { access: 'report.decide-points' } },
    async (request, reply) => {
      const { inspection, report } = await teamReport(request, idOf(request));
      const person = authorise(request, 'report.decide-points', resourceOf(inspection));
      return postForm(reply, {
        parsed: noFields.safeParse({}),
        place: () => 'finalise',
        act: async () => {
          await finaliseReport(db, app.clock, person.id, report.id);
          return reportUrl(inspection.id, 'finalised');
        },
        showAgain: (refused) => teamPage(request, reply, inspection.id, refused),
      });
    },
  );

  app.post(
    '/inspections/:id/report/publish',
    { ...hidden, config: { access: 'report.publish' } },
    async (request, reply) => {
      const { inspection, report } = await teamReport(request, idOf(request));
      const person = authorise(request, 'report.publish');
      return postForm(reply, {
        parsed: noFields.safeParse({}),
        place: () => 'publish',
        act: async () => {
          await publishReport(db, app.clock, person.id, report.id);
          return reportUrl(inspection.id, 'published');
        },
        showAgain: (refused) => teamPage(request, reply, inspection.id, refused),
      });
    },
  );
}
