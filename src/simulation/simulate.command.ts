// `rearguard simulate`: parses the flags, writes the world to a file or stdout, shows progress on stderr.
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { ZodError } from 'zod';
import { makeStreamSink, writeSimulationFile } from './output.simulation.ts';
import { typologies, type SimulationOptionsInput, type Typology } from './options.simulation.ts';
import { worldProfileNames } from './profiles.simulation.ts';
import { simulate, type ProgressListener, type SimulationSummary } from './world.simulation.ts';

export interface CommandOutput {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export const simulateUsage = `rearguard simulate [options]

Writes a synthetic pay-later world (accounts and orders, in time order) in the import NDJSON format.

  --orders N                 orders to write (default 100000)
  --seed S                   integer seed; the same seed and options give the same bytes (default 1)
  --out FILE                 output file (default: standard output)
  --profile NAME             world profile: ${worldProfileNames.join(' | ')} (default: default)
  --months M                 length of the simulated window (default 6)
  --start DATE               start of the window, ISO date or date-time (default 2025-01-01)
  --fraud-rate R             share of orders that are fraud, 0..0.5 (default 0.01)
  --label-delay-days D       mean days until a third-party fraud label is known (default 21)
  --consumers N              consumer population (default orders / 4)
  --merchants N              merchants (default 40)
  --existing-customers F     share of consumers with an account before the window (default 0.3)
  --typology-mix LIST        fraud share per typology, e.g. identity_misuse=0.5,burst=0.1
  --campaign-sizes LIST      mean fraud orders per campaign, e.g. drop_address=20,burst=8
  --censor                   outcomes after the window's end are written as open
  --quiet                    no progress bar

Typologies: ${typologies.join(', ')}`;

export async function runSimulateCommand(argv: string[], io: CommandOutput): Promise<number> {
  let options: SimulationOptionsInput;
  let out: string | undefined;
  let quiet: boolean;
  try {
    ({ options, out, quiet } = parseSimulateArguments(argv));
  } catch (error) {
    if (error instanceof HelpRequested) {
      io.stdout.write(`${simulateUsage}\n`);
      return 0;
    }
    io.stderr.write(`simulate: ${describeError(error)}\n\n${simulateUsage}\n`);
    return 2;
  }
  const bar = quiet
    ? null
    : new cliProgress.SingleBar(
        {
          stream: io.stderr,
          format: 'simulate [{bar}] {percentage}% | {value}/{total} orders | {eta_formatted} left',
          noTTYOutput: true,
          notTTYSchedule: 5000,
          etaBuffer: 50,
        },
        cliProgress.Presets.shades_classic,
      );
  const onProgress: ProgressListener = (written) => bar?.update(written);
  const startedAt = performance.now();
  try {
    bar?.start(Number(options.orders ?? 100_000), 0);
    const summary =
      out === undefined || out === '-'
        ? await simulateToStdout(options, io.stdout, onProgress)
        : await writeSimulationFile(options, out, onProgress);
    bar?.stop();
    const seconds = (performance.now() - startedAt) / 1000;
    io.stderr.write(`${describeSummary(summary, seconds)}\n`);
    return 0;
  } catch (error) {
    bar?.stop();
    io.stderr.write(`simulate: ${describeError(error)}\n`);
    return error instanceof ZodError ? 2 : 1;
  }
}

async function simulateToStdout(
  options: SimulationOptionsInput,
  stdout: NodeJS.WritableStream,
  onProgress: ProgressListener,
): Promise<SimulationSummary> {
  const output = makeStreamSink(stdout);
  const summary = await simulate(options, output.sink, onProgress);
  await output.finish(false);
  return summary;
}

class HelpRequested extends Error {}

export function parseSimulateArguments(argv: string[]): {
  options: SimulationOptionsInput;
  out: string | undefined;
  quiet: boolean;
} {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      orders: { type: 'string' },
      seed: { type: 'string' },
      profile: { type: 'string' },
      out: { type: 'string' },
      months: { type: 'string' },
      start: { type: 'string' },
      'fraud-rate': { type: 'string' },
      'label-delay-days': { type: 'string' },
      consumers: { type: 'string' },
      merchants: { type: 'string' },
      'existing-customers': { type: 'string' },
      'typology-mix': { type: 'string' },
      'campaign-sizes': { type: 'string' },
      censor: { type: 'boolean' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) throw new HelpRequested();
  const number = (flag: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value)) throw new Error(`--${flag} must be a number, got "${text}"`);
    return value;
  };
  const options: SimulationOptionsInput = {
    orders: number('orders', values.orders),
    seed: number('seed', values.seed),
    profile: values.profile as SimulationOptionsInput['profile'],
    months: number('months', values.months),
    start: values.start,
    fraudRate: number('fraud-rate', values['fraud-rate']),
    labelDelayDays: number('label-delay-days', values['label-delay-days']),
    consumers: number('consumers', values.consumers),
    merchants: number('merchants', values.merchants),
    existingCustomerShare: number('existing-customers', values['existing-customers']),
    typologyMix: typologyList('typology-mix', values['typology-mix']),
    campaignSizes: typologyList('campaign-sizes', values['campaign-sizes']),
    censorAtEnd: values.censor,
  };
  // Drop unset flags so that the schema's defaults apply.
  for (const key of Object.keys(options) as (keyof SimulationOptionsInput)[])
    if (options[key] === undefined) delete options[key];
  return { options, out: values.out, quiet: values.quiet === true };
}

function typologyList(flag: string, text: string | undefined): Partial<Record<Typology, number>> | undefined {
  if (text === undefined) return undefined;
  const entries: Partial<Record<Typology, number>> = {};
  for (const part of text.split(',').filter((item) => item.trim() !== '')) {
    const [name, value] = part.split('=').map((item) => item.trim());
    if (!typologies.includes(name as Typology))
      throw new Error(`--${flag}: unknown typology "${name}" (known: ${typologies.join(', ')})`);
    const share = Number(value);
    if (value === undefined || value === '' || !Number.isFinite(share) || share < 0)
      throw new Error(`--${flag}: "${part}" needs a number >= 0`);
    entries[name as Typology] = share;
  }
  return entries;
}

function describeError(error: unknown): string {
  if (error instanceof ZodError)
    return error.issues.map((issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`).join('; ');
  return error instanceof Error ? error.message : String(error);
}

function describeSummary(summary: SimulationSummary, seconds: number): string {
  const perSecond = Math.round(summary.orders / Math.max(seconds, 1e-9));
  const typologyText = Object.entries(summary.byTypology)
    .map(([name, count]) => `${name}=${count}`)
    .join(' ');
  return (
    `simulated ${summary.orders} orders and ${summary.accounts} accounts in ${seconds.toFixed(1)} s (${perSecond} orders/s); ` +
    `fraud ${summary.fraudOrders} (${((100 * summary.fraudOrders) / Math.max(1, summary.orders)).toFixed(2)}%) ${typologyText}`
  );
}
