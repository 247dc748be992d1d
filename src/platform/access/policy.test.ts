import { describe, expect, it } from 'vitest';
import type { Actor } from '../auth/actor';
import {
  actionDefinition,
  allowedActions,
  authorize,
  defineActions,
  present,
  rolesFor,
  STEP_UP_WINDOW_MS,
  type Subject,
  subjectOf,
} from './policy';
import type { Role } from './roles';

// Actions live in one process-wide registry: these names belong to this file alone.
defineActions({
  'policy_test.read_status': {
    roles: { rescue_coordinator: 'any', field_partner: 'assigned', administrator: 'any' },
  },
  'policy_test.read_name': { roles: { rescue_coordinator: 'any', field_partner: 'assigned' }, stepUp: true },
  'policy_test.read_notes': { roles: { resettlement_worker: 'any' } },
  'policy_test.export': { roles: { rescue_coordinator: 'any' }, stepUp: true, audited: true },
  // A definition that lists supporters by mistake for compartment data must still not open it.
  'policy_test.supporter_view': { roles: { supporter: 'any', development: 'any' } },
});

const NOW = new Date('2025-03-01T12:00:00Z');
const COMPARTMENT = 'cmp-orchid';
const OTHER_COMPARTMENT = 'cmp-lotus';

function subject(role: Role, compartments: string[] = [COMPARTMENT], extra: Partial<Subject> = {}): Subject {
  return { userId: `user-${role}`, role, compartments: new Set(compartments), stepUpAt: null, ...extra };
}
const rescue = (extra: Partial<{ compartmentId: string | null; assigneeId: string | null }> = {}) => ({
  type: 'policy_test_case',
  code: 'ORCHID-7',
  compartmentId: COMPARTMENT,
  ...extra,
});

describe('authorize', () => {
  it('refuses an action nobody declared, whatever the role', () => {
    expect(authorize(subject('administrator'), 'policy_test.undeclared', rescue(), NOW)).toEqual({
      allowed: false,
      reason: 'unknown_action',
    });
    expect(actionDefinition('policy_test.undeclared')).toBeUndefined();
  });

  it('refuses a role the action does not grant, even a member of the compartment', () => {
    expect(authorize(subject('outreach'), 'policy_test.read_status', rescue(), NOW)).toEqual({
      allowed: false,
      reason: 'role',
    });
    expect(authorize(subject('security_lead'), 'policy_test.read_status', rescue(), NOW).allowed).toBe(false);
  });

  it('allows a granted role that is a member of the compartment', () => {
    expect(authorize(subject('rescue_coordinator'), 'policy_test.read_status', rescue(), NOW)).toEqual({
      allowed: true,
    });
  });

  it('needs explicit membership of the compartment, for an administrator too', () => {
    for (const role of ['administrator', 'rescue_coordinator'] as const) {
      expect(authorize(subject(role, []), 'policy_test.read_status', rescue(), NOW)).toEqual({
        allowed: false,
        reason: 'compartment',
      });
      expect(authorize(subject(role, [OTHER_COMPARTMENT]), 'policy_test.read_status', rescue(), NOW)).toEqual(
        { allowed: false, reason: 'compartment' },
      );
    }
  });

  it('treats an empty compartment id as a compartment nobody is in, not as no compartment', () => {
    const decision = authorize(
      subject('rescue_coordinator', ['']),
      'policy_test.read_status',
      rescue({ compartmentId: '' }),
      NOW,
    );
    expect(decision).toEqual({ allowed: false, reason: 'compartment' });
  });

  it('limits an "assigned" grant to records assigned to the caller', () => {
    const partner = subject('field_partner');
    expect(
      authorize(partner, 'policy_test.read_status', rescue({ assigneeId: partner.userId }), NOW),
    ).toEqual({ allowed: true });
    expect(
      authorize(partner, 'policy_test.read_status', rescue({ assigneeId: 'someone-else' }), NOW),
    ).toEqual({ allowed: false, reason: 'assignment' });
    expect(authorize(partner, 'policy_test.read_status', rescue({ assigneeId: null }), NOW)).toEqual({
      allowed: false,
      reason: 'assignment',
    });
    expect(authorize(partner, 'policy_test.read_status', undefined, NOW)).toEqual({
      allowed: false,
      reason: 'assignment',
    });
    // Assignment does not replace membership.
    expect(
      authorize(
        subject('field_partner', []),
        'policy_test.read_status',
        rescue({ assigneeId: 'user-field_partner' }),
        NOW,
      ),
    ).toEqual({ allowed: false, reason: 'compartment' });
  });

  it('asks for a step-up within the last 5 minutes for stepUp actions', () => {
    const at = (msAgo: number) =>
      subject('rescue_coordinator', [COMPARTMENT], { stepUpAt: new Date(NOW.getTime() - msAgo) });
    expect(authorize(subject('rescue_coordinator'), 'policy_test.read_name', rescue(), NOW)).toEqual({
      allowed: false,
      reason: 'step_up',
    });
    expect(authorize(at(0), 'policy_test.read_name', rescue(), NOW)).toEqual({ allowed: true });
    expect(authorize(at(STEP_UP_WINDOW_MS), 'policy_test.read_name', rescue(), NOW)).toEqual({
      allowed: true,
    });
    expect(authorize(at(STEP_UP_WINDOW_MS + 1), 'policy_test.read_name', rescue(), NOW)).toEqual({
      allowed: false,
      reason: 'step_up',
    });
    // A step-up does not stand in for anything else.
    expect(
      authorize(subject('rescue_coordinator', [], { stepUpAt: NOW }), 'policy_test.read_name', rescue(), NOW),
    ).toEqual({ allowed: false, reason: 'compartment' });
    expect(STEP_UP_WINDOW_MS).toBe(5 * 60 * 1000);
  });

  it('never opens a compartment to a supporter, even when a definition lists supporters', () => {
    const supporter = subject('supporter', [COMPARTMENT]);
    expect(authorize(supporter, 'policy_test.supporter_view', rescue(), NOW)).toEqual({
      allowed: false,
      reason: 'compartment',
    });
    expect(authorize(supporter, 'policy_test.read_status', rescue(), NOW)).toEqual({
      allowed: false,
      reason: 'role',
    });
    // Outside any compartment (their own gifts, say) the grant applies.
    expect(authorize(supporter, 'policy_test.supporter_view', { type: 'gift' }, NOW)).toEqual({
      allowed: true,
    });
  });

  it('subjectOf keeps the actor, its role, its compartments and its step-up time', () => {
    const actor: Actor = {
      userId: 'u1',
      name: 'N',
      email: 'n@example.org',
      role: 'rescue_coordinator',
      sessionId: 's1',
      twoFactorEnabled: true,
      secondFactor: true,
      stepUpAt: NOW,
    };
    const s = subjectOf(actor, [COMPARTMENT, COMPARTMENT]);
    expect(s).toEqual({
      userId: 'u1',
      role: 'rescue_coordinator',
      compartments: new Set([COMPARTMENT]),
      stepUpAt: NOW,
    });
  });
});

describe('defineActions', () => {
  it('refuses a name that is not thing.verb', () => {
    expect(() => defineActions({ 'Policy Test': { roles: {} } })).toThrow(/must look like thing.verb/);
    expect(() => defineActions({ policy_test: { roles: {} } })).toThrow(/must look like thing.verb/);
  });

  it('refuses a second declaration of the same action', () => {
    expect(() => defineActions({ 'policy_test.read_status': { roles: { auditor: 'any' } } })).toThrow(
      /declared twice/,
    );
    // The first declaration stands.
    expect(actionDefinition('policy_test.read_status')?.roles.auditor).toBeUndefined();
  });

  it('rolesFor lists the staff roles granted an action, never supporters', () => {
    expect(rolesFor('policy_test.supporter_view')).toEqual(['development']);
    expect(rolesFor('policy_test.undeclared')).toEqual([]);
  });
});

describe('allowedActions', () => {
  const candidates = [
    'policy_test.read_status',
    'policy_test.read_name',
    'policy_test.read_notes',
    'policy_test.export',
    'policy_test.undeclared',
  ];

  it('lists only what the caller may do with the record', () => {
    expect(allowedActions(subject('rescue_coordinator'), rescue(), candidates)).toEqual([
      'policy_test.read_status',
    ]);
    expect(
      allowedActions(
        subject('rescue_coordinator', [COMPARTMENT], { stepUpAt: new Date() }),
        rescue(),
        candidates,
      ),
    ).toEqual(['policy_test.read_status', 'policy_test.read_name', 'policy_test.export']);
    expect(allowedActions(subject('rescue_coordinator', []), rescue(), candidates)).toEqual([]);
    expect(allowedActions(subject('auditor'), rescue(), candidates)).toEqual([]);
  });
});

describe('present', () => {
  const record = {
    code: 'ORCHID-7',
    status: 'in_transit',
    legalName: 'CANARY-name',
    notes: 'CANARY-notes',
    ageBand: '20-29',
  };
  const rules = {
    code: null,
    status: 'policy_test.read_status',
    ageBand: 'policy_test.read_status',
    legalName: 'policy_test.read_name',
    notes: 'policy_test.read_notes',
  } as const;

  it('leaves hidden fields out entirely: absent, not blanked', () => {
    const shown = present(subject('rescue_coordinator'), rescue(), record, rules);
    expect(shown).toEqual({ code: 'ORCHID-7', status: 'in_transit', ageBand: '20-29' });
    expect('legalName' in shown).toBe(false);
    expect('notes' in shown).toBe(false);
    expect(JSON.stringify(shown)).not.toContain('CANARY');
  });

  it('shows a step-up field after a recent step-up, and only then', () => {
    const fresh = subject('rescue_coordinator', [COMPARTMENT], { stepUpAt: new Date() });
    expect(present(fresh, rescue(), record, rules)).toEqual({
      code: 'ORCHID-7',
      status: 'in_transit',
      ageBand: '20-29',
      legalName: 'CANARY-name',
    });
  });

  it('shows only unguarded fields to someone outside the compartment', () => {
    expect(present(subject('rescue_coordinator', []), rescue(), record, rules)).toEqual({ code: 'ORCHID-7' });
    expect(present(subject('administrator', []), rescue(), record, rules)).toEqual({ code: 'ORCHID-7' });
    expect(present(subject('supporter'), rescue(), record, rules)).toEqual({ code: 'ORCHID-7' });
  });

  it('never shows a field that has no rule, nor one whose action nobody declared', () => {
    const shown = present(
      subject('rescue_coordinator', [COMPARTMENT], { stepUpAt: new Date() }),
      rescue(),
      record,
      {
        code: null,
        legalName: 'policy_test.undeclared',
      },
    );
    expect(shown).toEqual({ code: 'ORCHID-7' });
  });
});
