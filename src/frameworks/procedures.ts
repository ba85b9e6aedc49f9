import type { PostInspectionProcedure, ProcedureStep } from './types.js';

/**
 * What happens after an inspection, and by when. The procedure is chosen by the last day of the inspection,
 * so an inspection keeps the procedure it was held under.
 */

const raiseConcernsOnSite: ProcedureStep = {
  title: 'Raise concerns during the inspection',
  description:
    'Raise any concern with the inspector as soon as possible, so it can be resolved before the inspection ends. If it is not resolved, contact the inspector’s manager.',
  deadline: null,
};

const enhancedProfessionalDialogue: ProcedureStep = {
  title: 'Professional dialogue during the inspection',
  description:
    'The inspector checks with the provider at set points, including end-of-day meetings and the final feedback, to address queries, misconceptions or concerns as soon as possible.',
  deadline: null,
};

const dayAfterCall: ProcedureStep = {
  title: 'Call the regulator about unresolved issues',
  description:
    'An experienced inspector who was not part of the inspection takes the call, and may contact the lead inspector to understand the context.',
  deadline: 'dayAfterCall',
};

const draftReport: ProcedureStep = {
  title: 'Draft report sent to the provider',
  description: 'The provider receives the draft report.',
  deadline: 'draftReport',
};

const finalReport: ProcedureStep = {
  title: 'Final report sent to the provider',
  description: 'The report is finalised and then published.',
  deadline: 'finalReport',
};

// From the draft report to the adjudicator, before April 2024.
const reportsAndComplaints2020: readonly ProcedureStep[] = [
  draftReport,
  {
    title: 'Comment on the draft report',
    description:
      'Point out factual inaccuracies and comment on the inspection process or the conduct of the inspector. A report not challenged is presumed accurate and is published.',
    deadline: 'response',
  },
  finalReport,
  {
    title: 'Make a formal complaint',
    description: 'A formal complaint can be made after the final report is received.',
    deadline: 'formalComplaint',
  },
  {
    title: 'Ask for an internal review',
    description: 'A complainant unhappy with the reply to the complaint can ask for an internal review.',
    deadline: null,
  },
  {
    title: 'Escalate to the independent adjudicator (ICASO)',
    description:
      'After the internal review, the Independent Complaints Adjudication Service for Ofsted can consider how the complaint was handled.',
    deadline: null,
  },
];

// Before September 2020 (DOMAIN.md; Ridouts, March 2014; Ofsted's 2020 consultation on post-inspection
// processes, as FE Week reported it on 3 March 2020): the draft could be challenged on factual accuracy
// only, within 5 working days; the process and the inspector's conduct were matters for a formal
// complaint, made within 10 working days (2017 complaints guidance), at the latest of the final report;
// an internal review came before ICASO. The service starts it on 1 May 2012, the first day of the oldest
// framework it holds; it was in force before that too. No earlier target for the draft and final reports
// is recorded, so the later ones are kept.
export const postInspectionBefore2020: PostInspectionProcedure = {
  id: 'post-inspection-before-2020',
  name: 'Post-inspection arrangements before September 2020',
  source:
    'DOMAIN.md (2017 complaints guidance); Ridouts, March 2014; FE Week on the Ofsted consultation, 3 March 2020',
  effectiveFrom: '2012-05-01',
  effectiveTo: '2020-08-31',
  enhancedProfessionalDialogue: false,
  dayAfterCall: null,
  draftReport: { count: 18, unit: 'working-days', after: 'last-day' },
  response: { count: 5, unit: 'working-days', after: 'draft-report' },
  responseRoutes: ['factual-accuracy'],
  finalReport: { count: 30, unit: 'working-days', after: 'last-day' },
  formalComplaint: { count: 10, unit: 'working-days', after: 'final-report' },
  internalReview: true,
  periodicReviewOfClosedComplaints: false,
  steps: [
    raiseConcernsOnSite,
    draftReport,
    {
      title: 'Check the draft report for factual accuracy',
      description:
        'Point out factual inaccuracies. Comments on the judgements, the inspection process or the inspector’s conduct are made as a formal complaint.',
      deadline: 'response',
    },
    finalReport,
    {
      title: 'Make a formal complaint',
      description:
        'A formal complaint can be made within 10 working days of the matter complained of: the inspection, the draft report or, at the latest, the final report.',
      deadline: 'formalComplaint',
    },
    {
      title: 'Ask for an internal review',
      description:
        'A complainant unhappy with the reply to the complaint can ask for an internal review within 15 working days of the reply.',
      deadline: null,
    },
    {
      title: 'Escalate to the independent adjudicator (ICASO)',
      description:
        'After the internal review, the Independent Complaints Adjudication Service for Ofsted can consider how the complaint was handled.',
      deadline: null,
    },
  ],
};

// Standard since September 2020: 5 working days to comment on the draft, including on the inspection
// process, and a formal complaint within 5 working days of the final report (seed 003).
export const postInspection2020: PostInspectionProcedure = {
  id: 'post-inspection-2020',
  name: 'Post-inspection arrangements from September 2020',
  source: 'Seed 003; Ofsted complaints procedure',
  effectiveFrom: '2020-09-01',
  effectiveTo: '2023-12-31',
  enhancedProfessionalDialogue: false,
  dayAfterCall: null,
  draftReport: { count: 18, unit: 'working-days', after: 'last-day' },
  response: { count: 5, unit: 'working-days', after: 'draft-report' },
  responseRoutes: ['factual-accuracy-and-process-comments'],
  finalReport: { count: 30, unit: 'working-days', after: 'last-day' },
  formalComplaint: { count: 5, unit: 'working-days', after: 'final-report' },
  internalReview: true,
  periodicReviewOfClosedComplaints: false,
  steps: [raiseConcernsOnSite, ...reportsAndComplaints2020],
};

// Phase 1 of the 2023 consultation outcome (seeds 000 and 002): enhanced professional dialogue, and a call
// on the working day after the inspection. Reports and complaints are handled as before.
export const postInspection2024January: PostInspectionProcedure = {
  ...postInspection2020,
  id: 'post-inspection-2024-01',
  name: 'Post-inspection arrangements from January 2024',
  source: 'Ofsted press release, 24 November 2023 (seed 002); seed 000',
  effectiveFrom: '2024-01-01',
  effectiveTo: '2024-03-31',
  enhancedProfessionalDialogue: true,
  dayAfterCall: { count: 1, unit: 'working-days', after: 'last-day' },
  steps: [raiseConcernsOnSite, enhancedProfessionalDialogue, dayAfterCall, ...reportsAndComplaints2020],
};

// Phase 2 (seed 002): two routes on the draft report, no internal review, straight to ICASO, whose remit
// is the handling of the complaint, not the inspection; closed complaints reviewed externally.
export const postInspection2024April: PostInspectionProcedure = {
  id: 'post-inspection-2024-04',
  name: 'Post-inspection arrangements from April 2024',
  source: 'Ofsted press release, 24 November 2023 (seed 002); Tes, 5 April 2024',
  effectiveFrom: '2024-04-01',
  effectiveTo: null,
  enhancedProfessionalDialogue: true,
  dayAfterCall: { count: 1, unit: 'working-days', after: 'last-day' },
  draftReport: { count: 18, unit: 'working-days', after: 'last-day' },
  response: { count: 5, unit: 'working-days', after: 'draft-report' },
  responseRoutes: ['minor-points', 'formal-complaint'],
  finalReport: { count: 30, unit: 'working-days', after: 'last-day' },
  formalComplaint: { count: 5, unit: 'working-days', after: 'draft-report' },
  internalReview: false,
  periodicReviewOfClosedComplaints: true,
  steps: [
    raiseConcernsOnSite,
    enhancedProfessionalDialogue,
    dayAfterCall,
    draftReport,
    {
      title: 'Raise minor points of clarity or factual accuracy',
      description:
        'Minor points are considered promptly, before the report is finalised. A report not challenged is presumed accurate and is published.',
      deadline: 'response',
    },
    {
      title: 'Or make a formal complaint',
      description: 'A formal complaint seeks a review of the inspection findings and judgements.',
      deadline: 'formalComplaint',
    },
    finalReport,
    {
      title: 'Escalate to the independent adjudicator (ICASO)',
      description:
        'A complainant who thinks the complaint was not handled properly can go straight to the Independent Complaints Adjudication Service for Ofsted, whose remit is the handling of the complaint, not the inspection.',
      deadline: null,
    },
    {
      title: 'Periodic review of closed complaints',
      description: 'External representatives review a sample of closed complaints.',
      deadline: null,
    },
  ],
};

/** Every post-inspection procedure, oldest first. */
export const postInspectionProcedures: readonly PostInspectionProcedure[] = [
  postInspectionBefore2020,
  postInspection2020,
  postInspection2024January,
  postInspection2024April,
];
