// The model context's public surface: train with libxgboost, score and explain in TypeScript, evaluate, report.
export { type ModelError, type ModelErrorCode, type Result } from './model.result.ts';
export {
  defaultRounds,
  defaultTrainingParams,
  trainModel,
  type LabelledRows,
  type TrainedModel,
  type TrainingInput,
  type TrainingProgress,
} from './xgboost.trainer.ts';
export { installHint, loadXgboost } from './xgboost.library.ts';
export { predictWithXgboost } from './xgboost.predictor.ts';
export {
  loadModel,
  type ContributionMethod,
  type Contributions,
  type FeatureRecord,
  type FeatureRow,
  type ScoringModel,
} from './scoring-model.ts';
export { parseXgboostModel, supportedObjectives, type TreeEnsemble } from './tree-ensemble.ts';
export {
  rankContributions,
  reasonsFromContributions,
  type RankedContribution,
  type ReasonMapping,
  type ReasonText,
} from './reason-codes.ts';
export {
  averagePrecision,
  precisionRecallCurve,
  recallAtFalsePositiveRate,
  rocAuc,
  rocCurve,
  summariseRanking,
  sweepThresholds,
  type RankingSummary,
} from './metrics.ts';
export { thresholdTable, type DecisionCosts, type ThresholdRow, type ThresholdTable } from './threshold-costs.ts';
export { populationStabilityIndex, type StabilityResult } from './population-stability.ts';
export { averageGain, meanAbsoluteContributions, type FeatureImportance } from './feature-importance.ts';
export { renderEvaluationReport, writeEvaluationReport, type EvaluationReportInput } from './report.ts';
export { makeSyntheticData } from './synthetic-data.ts';
export { makeRandomEnsembleJson } from './random-ensemble.ts';
