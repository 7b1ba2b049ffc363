// World profiles: the rates of genuine behaviour and the attack mix a simulated world is drawn from.
// Every rate is explained in the README's "The simulated world" section; change both together.
import type { Typology } from './options.simulation.ts';

export const worldProfileNames = ['default', 'shifted'] as const;
export type WorldProfileName = (typeof worldProfileNames)[number];

export interface WorldProfile {
  readonly name: WorldProfileName;
  /** Shares of legitimate orders by where the parcel goes; the rest goes to the shopper's home. */
  readonly delivery: {
    readonly pickupPoint: number;
    readonly parcelLocker: number;
    /** A gift sent to family or friends at their home. */
    readonly gift: number;
    /** Multiplies the gift share in December (Sinterklaas and Christmas). */
    readonly decemberGiftFactor: number;
    /** Share of consumers with a job who have parcels sent to work now and then. */
    readonly workers: number;
    /** Share of a worker's orders that go to the office. */
    readonly toWork: number;
  };
  /** Pick-up points and lockers per city: hundreds in a large city, scaled by the city's weight (Amsterdam = 92). */
  readonly pickupPointsPerWeight: number;
  readonly minimumPickupPoints: number;
  /** Shares of consumers' mailboxes; the rest are the big free-mail providers. */
  readonly email: { readonly ownDomain: number; readonly isp: number };
  /** How the shopper's network address looks, as shares of orders (per network, per order). */
  readonly network: {
    readonly homeIpv6: number;
    readonly homeCarrierNat: number;
    readonly mobileIpv6: number;
    readonly mobileCarrierNat: number;
    /** The merchant did not send an IP at all. */
    readonly missing: number;
    /** A documentation, private or test range leaked by a proxy or a misconfigured checkout. */
    readonly reserved: number;
  };
  /** Mean years between life events of one consumer. */
  readonly lifeEventYears: { readonly newPhone: number; readonly newEmail: number; readonly newDevice: number };
  /** Share of a consumer's first purchases placed as a guest, without an account with the provider. */
  readonly guestFirstPurchase: number;
  /** Share of fraud baskets that hold the dearest products (the rest look like ordinary baskets). */
  readonly fraudGreed: number;
  /** Share of fraudulent orders per typology (relative weights; options can override each one). */
  readonly typologyMix: Record<Typology, number>;
}

const defaultProfile: WorldProfile = {
  name: 'default',
  delivery: {
    pickupPoint: 0.12,
    parcelLocker: 0.05,
    gift: 0.05,
    decemberGiftFactor: 3,
    workers: 0.25,
    toWork: 0.12,
  },
  pickupPointsPerWeight: 4,
  minimumPickupPoints: 60,
  email: { ownDomain: 0.04, isp: 0.22 },
  network: {
    homeIpv6: 0.35,
    homeCarrierNat: 0.03,
    mobileIpv6: 0.3,
    mobileCarrierNat: 0.6,
    missing: 0.03,
    reserved: 0.005,
  },
  lifeEventYears: { newPhone: 4, newEmail: 6, newDevice: 2.5 },
  guestFirstPurchase: 0.3,
  fraudGreed: 0.6,
  typologyMix: {
    identity_misuse: 0.18,
    ghost_invoice: 0.13,
    account_takeover: 0.08,
    drop_address: 0.1,
    parcel_redirection: 0.07,
    first_party: 0.13,
    synthetic_identity: 0.06,
    burst: 0.08,
    interception: 0.06,
    low_value_probing: 0.05,
    billing_kept: 0.06,
  },
};

/**
 * Another market: a provider whose merchants serve older, broadband-at-home shoppers (more ISP and own-domain
 * mail, more IPv6 and carrier NAT, fewer pick-up points) and whose attackers favour the quieter attacks.
 * A model trained on `default` and evaluated here shows how much it leans on the default world's quirks.
 */
const shiftedProfile: WorldProfile = {
  name: 'shifted',
  delivery: {
    pickupPoint: 0.2,
    parcelLocker: 0.08,
    gift: 0.08,
    decemberGiftFactor: 3,
    workers: 0.35,
    toWork: 0.2,
  },
  pickupPointsPerWeight: 2,
  minimumPickupPoints: 30,
  email: { ownDomain: 0.1, isp: 0.35 },
  network: {
    homeIpv6: 0.55,
    homeCarrierNat: 0.1,
    mobileIpv6: 0.5,
    mobileCarrierNat: 0.45,
    missing: 0.08,
    reserved: 0.01,
  },
  lifeEventYears: { newPhone: 2.5, newEmail: 4, newDevice: 1.5 },
  guestFirstPurchase: 0.5,
  fraudGreed: 0.4,
  typologyMix: {
    identity_misuse: 0.12,
    ghost_invoice: 0.12,
    account_takeover: 0.08,
    drop_address: 0.06,
    parcel_redirection: 0.08,
    first_party: 0.12,
    synthetic_identity: 0.06,
    burst: 0.06,
    interception: 0.12,
    low_value_probing: 0.08,
    billing_kept: 0.1,
  },
};

export const worldProfiles: Record<WorldProfileName, WorldProfile> = {
  default: defaultProfile,
  shifted: shiftedProfile,
};
