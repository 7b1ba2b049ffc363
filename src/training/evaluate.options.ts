// The options of `rearguard evaluate`, parsed and checked; a problem is a message, printed with the usage.
import { parseArgs } from 'node:util';

export const evaluateUsage = `rearguard evaluate --file FILE [--mapping MAP] [--split time:0.8] [--report DIR] [--rounds N] [--quiet]
                   [--model MODEL.json] [--baseline FILE2 [--baseline-mapping MAP2]] [--resamples N] [--seed N]

Replays FILE (import NDJSON, or CSV with --mapping MAP.json|yaml) point-in-time through the risk engine, trains on
the first part by time (labels known by the split time only), tests on the rest, and prints one JSON line: the model
alone (top level and "model"), the rules alone ("rules") and both as the policy combines them ("combined"), with
bootstrap intervals ("intervals"), calibration and the decisions by band. DIR gets an HTML report.

  --model MODEL.json   score with a trained model (rearguard train's artifact) instead of training one
  --baseline FILE2     cross-world: train on FILE2 (unless --model), test on both FILE2 and FILE, print the drop
  --resamples N        bootstrap resamples for the intervals (default 200; 0 leaves them out)
  --seed N             bootstrap seed (default 1)
  --xgboost-library P  libxgboost's path when it is not in a standard place`;

export interface EvaluateOptions {
  readonly file: string;
  readonly mapping: string | null;
  readonly baseline: string | null;
  readonly baselineMapping: string | null;
  readonly model: string | null;
  readonly fraction: number;
  readonly report: string | null;
  readonly rounds: number;
  readonly resamples: number;
  readonly seed: number;
  readonly quiet: boolean;
  readonly xgboostLibrary: string | null;
}

export function parseEvaluateArguments(argv: string[]): EvaluateOptions | string {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      file: { type: 'string' },
      mapping: { type: 'string' },
      baseline: { type: 'string' },
      'baseline-mapping': { type: 'string' },
      model: { type: 'string' },
      split: { type: 'string', default: 'time:0.8' },
      report: { type: 'string' },
      rounds: { type: 'string', default: '200' },
      resamples: { type: 'string', default: '200' },
      seed: { type: 'string', default: '1' },
      quiet: { type: 'boolean', default: false },
      'xgboost-library': { type: 'string' },
    },
  });
  if (!values.file) return '--file is required';
  const split = /^time:(0?\.\d+|0|1)$/.exec(values.split ?? '');
  const fraction = split ? Number(split[1]) : Number.NaN;
  if (!(fraction > 0 && fraction < 1)) return '--split must be time:F with 0 < F < 1, e.g. time:0.8';
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) return '--rounds must be a positive integer';
  const resamples = Number(values.resamples);
  if (!Number.isInteger(resamples) || resamples < 0 || resamples > 10_000)
    return '--resamples must be an integer from 0 to 10000';
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) return '--seed must be an integer';
  if (values['baseline-mapping'] && !values.baseline) return '--baseline-mapping needs --baseline';
  return {
    file: values.file,
    mapping: values.mapping ?? null,
    baseline: values.baseline ?? null,
    baselineMapping: values['baseline-mapping'] ?? null,
    model: values.model ?? null,
    fraction,
    report: values.report ?? null,
    rounds,
    resamples,
    seed,
    quiet: values.quiet ?? false,
    xgboostLibrary: values['xgboost-library'] ?? null,
  };
}
