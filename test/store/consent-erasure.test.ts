import { describe, expect, it } from 'vitest';
import { planConsentErasure, type ErasedConsentEvent } from '../../src/store/consent-erasure.js';

const given = (id: number, at: number): ErasedConsentEvent => ({ id, at, kind: 'given' });
const revoked = (id: number, at: number): ErasedConsentEvent => ({ id, at, kind: 'revoked' });

describe('what an erasure does with consent events', () => {
  it('a consent kept for its attempts never comes back into force: the last withdrawal stays, even after a consent deleted', () => {
    // Given at 1 (a kept attempt at 2), given again at 5 (nothing under it), withdrawn by the erasure at 9.
    const plan = planConsentErasure([given(1, 1), given(2, 5), revoked(3, 9)], [{ at: 2, kept: true }]);
    expect(plan).toEqual({ keep: [1, 3], pseudonymise: [], remove: [2], pseudonymEnds: [] });
  });

  it('a consent only pseudonymised attempts were made under takes the pseudonym, with the revocation that ended it', () => {
    const plan = planConsentErasure([given(1, 1), revoked(2, 4), given(3, 6), revoked(4, 9)], [{ at: 2, kept: false }, { at: 7, kept: true }]);
    expect(plan).toEqual({ keep: [3, 4], pseudonymise: [1, 2], remove: [], pseudonymEnds: [] });
  });

  it('when what ended a pseudonymised consent stays with the number or goes, the pseudonym gets its own end', () => {
    const plan = planConsentErasure([given(1, 1), given(2, 5), revoked(3, 9)], [{ at: 2, kept: false }]);
    expect(plan).toEqual({ keep: [3], pseudonymise: [1], remove: [2], pseudonymEnds: [5] });
  });

  it('an attempt at the instant of the next event is that event\'s; a revocation and a consent at one instant cover nothing', () => {
    const plan = planConsentErasure([given(1, 1), given(2, 5), revoked(3, 5), revoked(4, 9)], [{ at: 5, kept: true }]);
    expect(plan).toEqual({ keep: [4], pseudonymise: [], remove: [1, 2, 3], pseudonymEnds: [] });
  });
});
