import type { NotificationCategory } from './types.js';

/**
 * Serious events a children's home must notify (Children's Homes (England) Regulations 2015, reg 40), in the
 * categories and order of the regulator's annual figures (seed 000), ending with 'other'.
 */

const inForce = { effectiveFrom: '2015-04-01', effectiveTo: null };

export const notificationCategories: readonly NotificationCategory[] = [
  { id: 'police-involvement', label: 'Incident requiring police involvement', ...inForce },
  {
    id: 'allegation-of-abuse',
    label: 'Allegation of abuse against the home or a person working there',
    ...inForce,
  },
  { id: 'serious-illness-or-accident', label: 'Serious illness or accident', ...inForce },
  { id: 'child-protection-inquiry-outcome', label: 'Child protection inquiry outcome', ...inForce },
  { id: 'missing-child', label: 'Serious concerns over a missing child', ...inForce },
  {
    id: 'serious-complaint-about-staff',
    label: 'Serious complaint about a carer or member of staff',
    ...inForce,
  },
  {
    id: 'sexual-exploitation',
    label: 'Involvement or suspected involvement in sexual exploitation',
    ...inForce,
  },
  { id: 'child-protection-inquiry-instigated', label: 'Child protection inquiry instigated', ...inForce },
  { id: 'self-harm', label: 'Serious incident of self-harm by a child', ...inForce },
  {
    id: 'dbs-referral',
    label: 'Section 35 referral of an adult or provision of information to DBS',
    ...inForce,
  },
  { id: 'serious-assault', label: 'Child has been a perpetrator/victim of serious assault', ...inForce },
  { id: 'infectious-disease', label: 'Outbreak of infectious disease', ...inForce },
  { id: 'death-of-a-child', label: 'Death of a child', ...inForce },
  {
    id: 'other',
    label: 'Other incident relating to a child that the registered person considered to be serious',
    ...inForce,
  },
];
