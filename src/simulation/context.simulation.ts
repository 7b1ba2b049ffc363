// The shared state every part of the simulation draws from and writes through.
import type { ImportAccount } from '../ingest/import.schema.ts';
import type { Market } from './catalogue.simulation.ts';
import type { IdentityFactory } from './identity.simulation.ts';
import type { SimulationOptions } from './options.simulation.ts';
import type { Population } from './population.simulation.ts';
import type { Random } from './random.simulation.ts';

export type AccountDetails = Omit<ImportAccount, 'type' | 'id' | 'created_at'>;

export interface SimulationContext {
  readonly random: Random;
  readonly identities: IdentityFactory;
  readonly market: Market;
  readonly population: Population;
  readonly options: SimulationOptions;
  /** Opens an account just before `at`; the world writes it before the order that needed it. */
  openAccount(details: AccountDetails, at: number): string;
  nextOrderId(): string;
}
