// `rearguard train`: replay history point-in-time, choose and calibrate on a validation window, measure on a test window.
import type { HistoryRange } from '../storage/history.reader.ts';
import { parseArgs } from 'node:util';
import type { Database } from '../storage/database.ts';
import type { CommandOutput } from './evaluate.command.ts';
import { defaultPolicyCosts, type PolicyCosts } from './model.fitting.ts';
import { regularisationCandidates } from './model.selection.ts';
import { runTraining, type TrainOptions } from './training.run.ts';

export const trainUsage = `rearguard train [--file FILE] [--out models/NAME.json] [options]

Replays history point-in-time (FILE in the import format, or the database when --file is absent) and cuts it by
order time into train / validation / test windows. An identity-fraud (third-party) model is trained with
monotone constraints on the train window; regularisation and the number of rounds are chosen by early stopping
on the validation window only; isotonic calibration is fitted on the validation window; the test window is only
measured. A first-party model (credit limits) is trained the same way. Writes NAME.json (XGBoost JSON) and
NAME.meta.json (encoding, windows, candidates tried, calibration, first-party model, metrics, costs) and
registers the version as a challenger.

  --rounds N               most boosting rounds per candidate (default 400)
  --early-stopping N       stop after N rounds without a better validation aucpr (default 30)
  --candidates N           regularisation candidates to try, 1..${regularisationCandidates.length} (default ${regularisationCandidates.length})
  --validation F           share of orders in the validation window (default 0.15)
  --test F                 latest share of orders in the test window (default 0.15)
  --shifted FILE           also score another world's test window (e.g. --profile shifted) and print the drop
  --name NAME              version name (default: the --out file name)
  --cost-step-up CENTS     friction cost of a step-up of a good buyer (default ${defaultPolicyCosts.stepUpFriction})
  --cost-review CENTS      ... of a manual review (default ${defaultPolicyCosts.reviewFriction})
  --cost-decline CENTS     ... of declining a good buyer (default ${defaultPolicyCosts.declineFriction})
  --step-up-stops F        share of fraud a step-up stops (default ${defaultPolicyCosts.stepUpStops})
  --review-stops F         share of fraud a manual review stops (default ${defaultPolicyCosts.reviewStops})
  --no-register            do not register the version in the database
  --promote                make the new version the champion at once
  --xgboost-library PATH   libxgboost's path when it is not in a standard place
  --quiet                  no progress bars`;

function parseTrainArguments(argv: string[]): TrainOptions | string {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      file: { type: 'string' },
      out: { type: 'string', default: 'models/model.json' },
      name: { type: 'string' },
      rounds: { type: 'string', default: '400' },
      'early-stopping': { type: 'string', default: '30' },
      candidates: { type: 'string', default: String(regularisationCandidates.length) },
      validation: { type: 'string', default: '0.15' },
      test: { type: 'string', default: '0.15' },
      shifted: { type: 'string' },
      'cost-step-up': { type: 'string' },
      'cost-review': { type: 'string' },
      'cost-decline': { type: 'string' },
      'step-up-stops': { type: 'string' },
      'review-stops': { type: 'string' },
      'no-register': { type: 'boolean', default: false },
      promote: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      'xgboost-library': { type: 'string' },
    },
  });
  const positive = (text: string | undefined, fallback: number) => (text === undefined ? fallback : Number(text));
  const rounds = positive(values.rounds, 400);
  const earlyStopping = positive(values['early-stopping'], 30);
  const candidates = positive(values.candidates, regularisationCandidates.length);
  const validation = positive(values.validation, 0.15);
  const test = positive(values.test, 0.15);
  const costs: PolicyCosts = {
    ...defaultPolicyCosts,
    stepUpFriction: positive(values['cost-step-up'], defaultPolicyCosts.stepUpFriction),
    reviewFriction: positive(values['cost-review'], defaultPolicyCosts.reviewFriction),
    declineFriction: positive(values['cost-decline'], defaultPolicyCosts.declineFriction),
    stepUpStops: positive(values['step-up-stops'], defaultPolicyCosts.stepUpStops),
    reviewStops: positive(values['review-stops'], defaultPolicyCosts.reviewStops),
  };
  if (!Number.isInteger(rounds) || rounds < 1) return '--rounds must be a positive integer';
  if (!Number.isInteger(earlyStopping) || earlyStopping < 1) return '--early-stopping must be a positive integer';
  if (!Number.isInteger(candidates) || candidates < 1 || candidates > regularisationCandidates.length)
    return `--candidates must be 1..${regularisationCandidates.length}`;
  if (!(validation > 0 && test > 0 && validation + test < 0.6))
    return '--validation and --test must be positive shares that leave at least 40% for training';
  if (Object.values(costs).some((cost) => !(cost >= 0))) return 'costs must be non-negative numbers';
  if (!(costs.stepUpStops <= costs.reviewStops && costs.reviewStops <= 1)) {
    return '--step-up-stops <= --review-stops <= 1 (a stronger action stops at least as much fraud)';
  }
  const out = values.out ?? 'models/model.json';
  return {
    file: values.file ?? null,
    out,
    name: values.name ?? (out.split('/').pop() ?? out).replace(/\.json$/, ''),
    rounds,
    candidates,
    earlyStopping,
    validation,
    test,
    costs,
    shifted: values.shifted ?? null,
    register: !(values['no-register'] ?? false),
    promote: values.promote ?? false,
    quiet: values.quiet ?? false,
    xgboostLibrary: values['xgboost-library'] ?? null,
  };
}

export async function runTrainCommand(
  argv: string[],
  io: CommandOutput,
  openDatabase: () => Promise<Database>,
  openInput?: HistoryRange['openInput'],
): Promise<number> {
  let options: TrainOptions | string;
  try {
    options = parseTrainArguments(argv);
  } catch (error) {
    options = error instanceof Error ? error.message : String(error);
  }
  if (typeof options === 'string') {
    io.stderr.write(`train: ${options}\n\n${trainUsage}\n`);
    return 2;
  }
  const needsDatabase = options.file === null || options.register;
  const database = needsDatabase ? await openDatabase() : null;
  try {
    return await runTraining(options, io, database, openInput);
  } finally {
    await database?.close();
  }
}
