// The rescues module's public door. Other modules use only what is exported here, and nothing here
// carries an identity: Giving speaks in case codes and units, Resettlement in client codes.
export { allocateFunding, casesNeedingFunding, fundingForCase } from './funding.service';
export { claimHandover, pendingHandovers } from './handover.service';
export { rescuesModule } from './rescues.module';
export { safetyReachedByCode } from './safety.service';
