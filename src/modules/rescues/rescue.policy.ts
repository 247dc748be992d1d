import { defineActions } from '../../platform/access/policy';
import { RESCUE_ACTIONS } from './rescue.constants';

/*
 * Who may do what with rescue data. Every action also needs membership of the case's compartment
 * (platform/access/policy.ts): no role, not even administrator, sees a case outside its compartments.
 */
export { RESCUE_ACTIONS };

defineActions({
  [RESCUE_ACTIONS.list]: {
    roles: { rescue_coordinator: 'any', security_lead: 'any', resettlement_worker: 'any' },
  },
  // Status, age bands, legs, costs, timeline: no identity.
  [RESCUE_ACTIONS.read]: {
    roles: { rescue_coordinator: 'any', security_lead: 'any', resettlement_worker: 'any' },
    audited: true,
  },
  // Intake answers (trafficking, health needs, family): for those who plan the rescue.
  [RESCUE_ACTIONS.readIntake]: { roles: { rescue_coordinator: 'any', security_lead: 'any' }, audited: true },
  // Names, photos, current regions, family inside North Korea, contact methods, free-text notes.
  [RESCUE_ACTIONS.readS4]: { roles: { rescue_coordinator: 'any' }, stepUp: true, audited: true },
  [RESCUE_ACTIONS.open]: { roles: { rescue_coordinator: 'any' }, audited: true },
  [RESCUE_ACTIONS.write]: { roles: { rescue_coordinator: 'any' }, audited: true },
  [RESCUE_ACTIONS.handover]: { roles: { rescue_coordinator: 'any' }, audited: true },
  [RESCUE_ACTIONS.extendRetention]: {
    roles: { rescue_coordinator: 'any', security_lead: 'any' },
    audited: true,
  },
  [RESCUE_ACTIONS.markCompromised]: {
    roles: { rescue_coordinator: 'any', security_lead: 'any' },
    audited: true,
  },
  // A field partner acts only on the legs assigned to them.
  [RESCUE_ACTIONS.partnerUpdate]: {
    roles: { field_partner: 'assigned', rescue_coordinator: 'any' },
    audited: true,
  },
  // Clearing a partner's compromised flag is a reviewed decision: security leads only, audited.
  [RESCUE_ACTIONS.clearPartnerFlag]: { roles: { security_lead: 'any' }, audited: true },
  [RESCUE_ACTIONS.dashboard]: { roles: { rescue_coordinator: 'any', security_lead: 'any' } },
});
