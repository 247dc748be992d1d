import { describe, expect, it } from 'vitest';
import type { AppContext } from '../../../platform/http/context';
import { providerOrRefuse, providersFor, SandboxProvider, useProviders } from './payment-provider';

describe('payment providers', () => {
  it('never offers the sandbox in production, and refuses to be given one', () => {
    const production = { config: { NODE_ENV: 'production' } } as unknown as AppContext;
    expect(providersFor(production).sandbox).toBeUndefined();
    expect(() => providerOrRefuse(production, 'sandbox')).toThrow(
      'provider: the sandbox is not available in production',
    );
    expect(() => useProviders(production, { sandbox: new SandboxProvider() })).toThrow(
      'refused in production',
    );
    const development = { config: { NODE_ENV: 'development' } } as unknown as AppContext;
    expect(providersFor(development).sandbox?.name).toBe('sandbox');
  });
});
