/**
 * The life of a case. A report arrives as `received`; a handler takes it into
 * `triage`, then finds it `validated` (real, worth notifying), `rejected` or a
 * `duplicate` of another case. A validated case goes to `notifying` while its
 * rounds run, and ends `closed`. Anything else is refused with CASE_TRANSITION.
 */
import { BakenError } from '../../platform/errors.js';

export const CASE_STATES = ['received', 'triage', 'validated', 'rejected', 'duplicate', 'notifying', 'closed'] as const;
export type CaseState = (typeof CASE_STATES)[number];

/** From each state, where a case may go. */
export const TRANSITIONS: Readonly<Record<CaseState, readonly CaseState[]>> = {
  received: ['triage', 'validated', 'rejected', 'duplicate'],
  triage: ['validated', 'rejected', 'duplicate'],
  validated: ['notifying', 'closed', 'triage'],
  rejected: ['triage'],
  duplicate: [],
  notifying: ['closed'],
  closed: ['notifying'],
};

export function isCaseState(value: unknown): value is CaseState {
  return typeof value === 'string' && (CASE_STATES as readonly string[]).includes(value);
}

export function canTransition(from: CaseState, to: CaseState): boolean {
  return TRANSITIONS[from].includes(to);
}

/**
 * @throws {BakenError} CASE_TRANSITION naming both states and where the case may go instead.
 * @example assertTransition('received', 'closed') // throws: ... from received to closed; from received: triage, validated, rejected, duplicate
 */
export function assertTransition(caseId: string, from: CaseState, to: CaseState): void {
  if (canTransition(from, to)) return;
  const allowed = TRANSITIONS[from];
  throw new BakenError('CASE_TRANSITION', {
    detail: `${caseId} is ${from} and cannot become ${to}; ${allowed.length > 0 ? `from ${from} it may become ${allowed.join(', ')}` : `${from} is final`}.`,
  });
}
