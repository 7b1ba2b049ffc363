// Binds libxgboost's C API through koffi; loading is a Result so that a machine without XGBoost still runs.
import koffi, { type LibraryHandle } from 'koffi';
import { failure, success, type Result } from './model.result.ts';

/** Opaque libxgboost handles; koffi 3 represents pointers as bigint. */
export type MatrixHandle = bigint & { readonly __kind: 'matrix' };
export type BoosterHandle = bigint & { readonly __kind: 'booster' };

/** XGBoosterPredictFromDMatrix's `type`: transformed, margin, exact TreeSHAP or Saabas contributions. */
export const predictionTypes = { probability: 0, margin: 1, contributions: 2, approximateContributions: 3 } as const;
export type PredictionType = keyof typeof predictionTypes;

export interface XgboostLibrary {
  readonly version: string;
  /** Dense row-major float32 matrix; NaN marks a missing value. */
  createMatrix(rows: Float32Array, rowCount: number, columnCount: number): MatrixHandle;
  setFloatInfo(matrix: MatrixHandle, field: 'label' | 'weight', values: Float32Array): void;
  freeMatrix(matrix: MatrixHandle): void;
  createBooster(cachedMatrices: readonly MatrixHandle[]): BoosterHandle;
  setParam(booster: BoosterHandle, name: string, value: string): void;
  setFeatureNames(booster: BoosterHandle, names: readonly string[]): void;
  /** Runs on koffi's worker thread so that long training does not freeze the event loop. */
  updateOneIteration(booster: BoosterHandle, iteration: number, matrix: MatrixHandle): Promise<void>;
  /** Runs on the calling thread; needed for the first round, which configures the learner. */
  updateOneIterationSync(booster: BoosterHandle, iteration: number, matrix: MatrixHandle): void;
  evaluateOneIteration(
    booster: BoosterHandle,
    iteration: number,
    matrices: readonly MatrixHandle[],
    names: readonly string[],
  ): string;
  saveModelJson(booster: BoosterHandle): string;
  /** A new booster holding rounds [0, rounds) of `booster`: the model as it was after that many rounds. */
  sliceBooster(booster: BoosterHandle, rounds: number): BoosterHandle;
  loadModelJson(booster: BoosterHandle, json: string): void;
  predict(booster: BoosterHandle, matrix: MatrixHandle, type: PredictionType): Float32Array;
  freeBooster(booster: BoosterHandle): void;
}

/** A libxgboost call returned non-zero; caught at the public API and turned into a Result. */
export class XgboostCallError extends Error {}

export const installHint =
  'libxgboost was not found. Install it to train models (Debian/Ubuntu: `apt-get install -y libxgboost-dev`, ' +
  'or build XGBoost from source and pass its libxgboost.so path). Scoring with a saved model does not need it.';

const defaultLibraryPaths = [
  'libxgboost.so.0',
  'libxgboost.so',
  '/usr/lib/x86_64-linux-gnu/libxgboost.so',
  '/usr/lib/aarch64-linux-gnu/libxgboost.so',
  '/usr/local/lib/libxgboost.so',
  '/usr/lib/libxgboost.so',
  'libxgboost.dylib',
];

const loaded = new Map<string, Result<XgboostLibrary>>();

/** Loads libxgboost once per path; every later call returns the same binding (or the same error). */
export function loadXgboost(libraryPath?: string): Result<XgboostLibrary> {
  const key = libraryPath ?? '';
  const cached = loaded.get(key);
  if (cached) return cached;
  const result = openLibrary(libraryPath === undefined ? defaultLibraryPaths : [libraryPath]);
  loaded.set(key, result);
  return result;
}

function openLibrary(candidates: readonly string[]): Result<XgboostLibrary> {
  const attempts: string[] = [];
  for (const path of candidates) {
    try {
      return success(bind(koffi.load(path)));
    } catch (error) {
      attempts.push(`${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return failure('xgboost_unavailable', `${installHint} Tried: ${attempts.join('; ')}`);
}

function bind(library: LibraryHandle): XgboostLibrary {
  const getLastError = library.func('const char *XGBGetLastError()');
  const versionOf = library.func('void XGBoostVersion(_Out_ int *major, _Out_ int *minor, _Out_ int *patch)');
  const createFromMat = library.func(
    'int XGDMatrixCreateFromMat(const float *data, uint64_t nrow, uint64_t ncol, float missing, _Out_ void **out)',
  );
  const setFloatInfo = library.func(
    'int XGDMatrixSetFloatInfo(void *handle, const char *field, const float *array, uint64_t len)',
  );
  const matrixFree = library.func('int XGDMatrixFree(void *handle)');
  const boosterCreate = library.func('int XGBoosterCreate(void **dmats, uint64_t len, _Out_ void **out)');
  const boosterFree = library.func('int XGBoosterFree(void *handle)');
  const setParam = library.func('int XGBoosterSetParam(void *handle, const char *name, const char *value)');
  const setStrFeatureInfo = library.func(
    'int XGBoosterSetStrFeatureInfo(void *handle, const char *field, const char **features, uint64_t size)',
  );
  const updateOneIter = library.func('int XGBoosterUpdateOneIter(void *handle, int iter, void *dtrain)');
  const evalOneIter = library.func(
    'int XGBoosterEvalOneIter(void *handle, int iter, void **dmats, const char **names, uint64_t len, _Out_ const char **out)',
  );
  const saveToBuffer = library.func(
    'int XGBoosterSaveModelToBuffer(void *handle, const char *config, _Out_ uint64_t *len, _Out_ void **data)',
  );
  const slice = library.func(
    'int XGBoosterSlice(void *handle, int begin_layer, int end_layer, int step, _Out_ void **out)',
  );
  const loadFromBuffer = library.func('int XGBoosterLoadModelFromBuffer(void *handle, const void *buf, uint64_t len)');
  const predictFromMatrix = library.func(
    'int XGBoosterPredictFromDMatrix(void *handle, void *dmat, const char *config, _Out_ void **shape, _Out_ uint64_t *dim, _Out_ void **result)',
  );

  const check = (returnCode: number, what: string): void => {
    if (returnCode !== 0) throw new XgboostCallError(`${what} failed: ${String(getLastError())}`);
  };

  const major = [0];
  const minor = [0];
  const patch = [0];
  versionOf(major, minor, patch);

  return {
    version: `${major[0]}.${minor[0]}.${patch[0]}`,
    createMatrix(rows, rowCount, columnCount) {
      const out: unknown[] = [null];
      check(createFromMat(rows, rowCount, columnCount, Number.NaN, out), 'XGDMatrixCreateFromMat');
      return out[0] as MatrixHandle;
    },
    setFloatInfo(matrix, field, values) {
      check(setFloatInfo(matrix, field, values, values.length), `XGDMatrixSetFloatInfo(${field})`);
    },
    freeMatrix(matrix) {
      check(matrixFree(matrix), 'XGDMatrixFree');
    },
    createBooster(cachedMatrices) {
      const out: unknown[] = [null];
      check(boosterCreate([...cachedMatrices], cachedMatrices.length, out), 'XGBoosterCreate');
      return out[0] as BoosterHandle;
    },
    setParam(booster, name, value) {
      check(setParam(booster, name, value), `XGBoosterSetParam(${name})`);
    },
    setFeatureNames(booster, names) {
      check(setStrFeatureInfo(booster, 'feature_name', [...names], names.length), 'XGBoosterSetStrFeatureInfo');
    },
    updateOneIterationSync(booster, iteration, matrix) {
      check(updateOneIter(booster, iteration, matrix), 'XGBoosterUpdateOneIter');
    },
    updateOneIteration(booster, iteration, matrix) {
      return new Promise((resolve, reject) => {
        updateOneIter.async(booster, iteration, matrix, (error: unknown, returnCode: number) => {
          if (error) reject(error instanceof Error ? error : new XgboostCallError(String(error)));
          else if (returnCode === 0) resolve();
          else {
            // XGBGetLastError is thread-local, so the worker's message is lost: retry in place to learn it.
            try {
              check(updateOneIter(booster, iteration, matrix), 'XGBoosterUpdateOneIter');
              resolve();
            } catch (retryError) {
              reject(retryError instanceof Error ? retryError : new XgboostCallError(String(retryError)));
            }
          }
        });
      });
    },
    evaluateOneIteration(booster, iteration, matrices, names) {
      const out: unknown[] = [null];
      check(evalOneIter(booster, iteration, [...matrices], [...names], matrices.length, out), 'XGBoosterEvalOneIter');
      return String(out[0]);
    },
    saveModelJson(booster) {
      const length = [0];
      const data: unknown[] = [null];
      check(saveToBuffer(booster, '{"format":"json"}', length, data), 'XGBoosterSaveModelToBuffer');
      // The buffer belongs to libxgboost until its next call, so copy it out at once.
      return Buffer.from(koffi.view(data[0], Number(length[0]))).toString('utf8');
    },
    sliceBooster(booster, rounds) {
      const out: unknown[] = [null];
      check(slice(booster, 0, rounds, 1, out), 'XGBoosterSlice');
      return out[0] as BoosterHandle;
    },
    loadModelJson(booster, json) {
      const bytes = Buffer.from(json, 'utf8');
      check(loadFromBuffer(booster, bytes, bytes.length), 'XGBoosterLoadModelFromBuffer');
    },
    predict(booster, matrix, type) {
      const config = JSON.stringify({
        type: predictionTypes[type],
        training: false,
        iteration_begin: 0,
        iteration_end: 0,
        strict_shape: false,
      });
      const shape: unknown[] = [null];
      const dimensions = [0];
      const result: unknown[] = [null];
      check(predictFromMatrix(booster, matrix, config, shape, dimensions, result), 'XGBoosterPredictFromDMatrix');
      const sizes = koffi.decode(shape[0], 'uint64_t', Number(dimensions[0])) as ArrayLike<bigint | number>;
      let total = 1;
      for (let index = 0; index < sizes.length; index++) total *= Number(sizes[index]);
      return Float32Array.from(koffi.decode(result[0], 'float', total) as ArrayLike<number>);
    },
    freeBooster(booster) {
      check(boosterFree(booster), 'XGBoosterFree');
    },
  };
}
