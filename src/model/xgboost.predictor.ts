// Asks libxgboost itself to score rows with a JSON model: the reference the TypeScript walker is checked against.
import { failure, success, type Result } from './model.result.ts';
import { loadXgboost, XgboostCallError, type PredictionType } from './xgboost.library.ts';

export interface ReferencePredictionInput {
  readonly modelJson: string;
  /** Row-major float32, NaN = missing. */
  readonly rows: Float32Array;
  readonly columnCount: number;
  readonly type: PredictionType;
  readonly libraryPath?: string;
}

/**
 * Returns one value per row for probability/margin, and columnCount + 1 values per row for
 * contributions (the last one is the bias: expected margin including base_score).
 */
export function predictWithXgboost(input: ReferencePredictionInput): Result<Float32Array> {
  if (input.columnCount < 1 || input.rows.length % input.columnCount !== 0) {
    return failure('invalid_training_data', 'rows.length must be a multiple of columnCount');
  }
  const loaded = loadXgboost(input.libraryPath);
  if (!loaded.ok) return loaded;
  const library = loaded.value;
  try {
    const matrix = library.createMatrix(input.rows, input.rows.length / input.columnCount, input.columnCount);
    try {
      const booster = library.createBooster([]);
      try {
        library.loadModelJson(booster, input.modelJson);
        return success(library.predict(booster, matrix, input.type));
      } finally {
        library.freeBooster(booster);
      }
    } finally {
      library.freeMatrix(matrix);
    }
  } catch (error) {
    if (error instanceof XgboostCallError) return failure('xgboost_failed', error.message);
    throw error;
  }
}
