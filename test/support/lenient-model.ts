import { type DecisionProfile, type LengthProfiles, type MatcherModel, SHIPPED_MODEL } from "@eventwire/core";

const joining = (profiles: LengthProfiles): LengthProfiles => {
  const open = (profile: DecisionProfile): DecisionProfile => ({ ...profile, attachThreshold: 0 });
  return { full: open(profiles.full), summary: open(profiles.summary), titleOnly: open(profiles.titleOnly) };
};

/**
 * The shipped model with every attach threshold at 0: the matcher joins each on-theme report to
 * its best candidate event, as a weak model would, so tests can make a stream merge happenings
 * whatever the shipped model has learnt. Its probabilities are the shipped model's.
 */
export function joinsEverything(): MatcherModel {
  return { ...SHIPPED_MODEL, dated: joining(SHIPPED_MODEL.dated), undated: joining(SHIPPED_MODEL.undated) };
}
