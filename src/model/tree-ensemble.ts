// Reads an XGBoost JSON model into flat typed arrays that a scorer can walk without allocating.
import { z } from 'zod';
import { failure, success, type Result } from './model.result.ts';

export const supportedObjectives = [
  'binary:logistic',
  'reg:logistic',
  'binary:logitraw',
  'reg:squarederror',
  'reg:linear',
] as const;
export type SupportedObjective = (typeof supportedObjectives)[number];

/**
 * All trees' nodes in one set of arrays, indexed by a global node number. A leaf has splitFeature -1
 * and its value in `values`; an inner node has its float32 split threshold in `values`.
 */
export interface TreeEnsemble {
  readonly featureNames: readonly string[];
  readonly objective: SupportedObjective;
  /** Starting margin before the trees: base_score mapped through the objective's link, as float32. */
  readonly baseMargin: number;
  readonly treeRoots: Int32Array;
  readonly leftChildren: Int32Array;
  readonly rightChildren: Int32Array;
  /** Child taken when the feature is missing (NaN): default_left decides. */
  readonly missingChildren: Int32Array;
  readonly splitFeatures: Int32Array;
  readonly values: Float32Array;
  /** sum_hessian per node: the "cover" TreeSHAP weighs branches by. */
  readonly covers: Float64Array;
  /** loss_changes per node: the gain of the split, for gain importance. */
  readonly gains: Float64Array;
  /** Deepest leaf depth over all trees (root = 0). */
  readonly maxDepth: number;
}

const numberArray = z.array(z.number());
const treeSchema = z.object({
  left_children: numberArray,
  right_children: numberArray,
  split_indices: numberArray,
  split_conditions: numberArray,
  // XGBoost before 1.6 wrote booleans here, later versions write 0/1.
  default_left: z.array(z.union([z.number(), z.boolean()])),
  sum_hessian: numberArray,
  loss_changes: numberArray,
  split_type: numberArray.optional(),
});
type TreeJson = z.infer<typeof treeSchema>;

const numericString = z.union([z.string(), z.number()]);
const modelSchema = z.object({
  learner: z.object({
    feature_names: z.array(z.string()).optional(),
    gradient_booster: z.object({
      name: z.string(),
      model: z.object({ tree_info: numberArray, trees: z.array(treeSchema) }).optional(),
    }),
    learner_model_param: z.object({
      base_score: numericString,
      num_feature: numericString,
      num_class: numericString.optional(),
    }),
    objective: z.object({ name: z.string() }),
  }),
});

export function parseXgboostModel(json: string | unknown): Result<TreeEnsemble> {
  let document: unknown = json;
  if (typeof json === 'string') {
    try {
      document = JSON.parse(json);
    } catch (error) {
      return failure('invalid_model', `model is not valid JSON: ${error instanceof Error ? error.message : ''}`);
    }
  }
  const parsed = modelSchema.safeParse(document);
  if (!parsed.success) return failure('invalid_model', `not an XGBoost JSON model: ${z.prettifyError(parsed.error)}`);
  const learner = parsed.data.learner;
  const booster = learner.gradient_booster;
  if (booster.name !== 'gbtree' || !booster.model) {
    return failure('unsupported_model', `booster "${booster.name}" is not supported; train with booster=gbtree`);
  }
  const objective = learner.objective.name;
  if (!isSupportedObjective(objective)) {
    return failure(
      'unsupported_model',
      `objective "${objective}" is not supported (${supportedObjectives.join(', ')})`,
    );
  }
  if (Number(learner.learner_model_param.num_class ?? 0) > 1 || booster.model.tree_info.some((group) => group !== 0)) {
    return failure('unsupported_model', 'multi-class models are not supported');
  }
  const featureCount = Number(learner.learner_model_param.num_feature);
  if (!Number.isInteger(featureCount) || featureCount < 1) return failure('invalid_model', 'num_feature must be >= 1');
  const names = learner.feature_names ?? [];
  if (names.length !== 0 && names.length !== featureCount) {
    return failure('invalid_model', `feature_names has ${names.length} names but num_feature is ${featureCount}`);
  }
  // XGBoost 2.1+ writes base_score as "[5E-1]".
  const baseScore = Number(String(learner.learner_model_param.base_score).replace(/^\[|\]$/g, ''));
  if (!Number.isFinite(baseScore)) return failure('invalid_model', 'base_score is not a number');
  const baseMargin = marginOf(objective, baseScore);
  if (!Number.isFinite(baseMargin))
    return failure('invalid_model', `base_score ${baseScore} is invalid for ${objective}`);
  const featureNames = names.length > 0 ? names : Array.from({ length: featureCount }, (_, index) => `f${index}`);
  return flatten(booster.model.trees, featureNames, objective, baseMargin);
}

function isSupportedObjective(name: string): name is SupportedObjective {
  return (supportedObjectives as readonly string[]).includes(name);
}

/** XGBoost's ProbToMargin, in float32 as libxgboost computes it. */
function marginOf(objective: SupportedObjective, baseScore: number): number {
  if (objective === 'reg:squarederror' || objective === 'reg:linear') return Math.fround(baseScore);
  const score = Math.fround(baseScore);
  return Math.fround(-Math.log(Math.fround(Math.fround(1 / score) - 1)));
}

function flatten(
  trees: readonly TreeJson[],
  featureNames: readonly string[],
  objective: SupportedObjective,
  baseMargin: number,
): Result<TreeEnsemble> {
  const nodeCount = trees.reduce((total, tree) => total + tree.left_children.length, 0);
  const ensemble = {
    featureNames,
    objective,
    baseMargin,
    treeRoots: new Int32Array(trees.length),
    leftChildren: new Int32Array(nodeCount),
    rightChildren: new Int32Array(nodeCount),
    missingChildren: new Int32Array(nodeCount),
    splitFeatures: new Int32Array(nodeCount),
    values: new Float32Array(nodeCount),
    covers: new Float64Array(nodeCount),
    gains: new Float64Array(nodeCount),
    maxDepth: 0,
  };
  let offset = 0;
  for (const [treeIndex, tree] of trees.entries()) {
    const problem = checkTree(tree, featureNames.length);
    if (problem) return failure('invalid_model', `tree ${treeIndex}: ${problem}`);
    const size = tree.left_children.length;
    ensemble.treeRoots[treeIndex] = offset;
    for (let node = 0; node < size; node++) {
      const global = offset + node;
      const left = tree.left_children[node] ?? -1;
      const right = tree.right_children[node] ?? -1;
      const isLeaf = left === -1;
      ensemble.leftChildren[global] = isLeaf ? -1 : offset + left;
      ensemble.rightChildren[global] = isLeaf ? -1 : offset + right;
      const defaultLeft = Boolean(tree.default_left[node]);
      ensemble.missingChildren[global] = isLeaf ? -1 : offset + (defaultLeft ? left : right);
      ensemble.splitFeatures[global] = isLeaf ? -1 : (tree.split_indices[node] ?? 0);
      ensemble.values[global] = tree.split_conditions[node] ?? 0;
      ensemble.covers[global] = tree.sum_hessian[node] ?? 0;
      ensemble.gains[global] = isLeaf ? 0 : (tree.loss_changes[node] ?? 0);
    }
    const depth = treeDepth(tree);
    if (depth === null) return failure('invalid_model', `tree ${treeIndex}: nodes do not form a tree`);
    ensemble.maxDepth = Math.max(ensemble.maxDepth, depth);
    offset += size;
  }
  return success(ensemble);
}

function checkTree(tree: TreeJson, featureCount: number): string | null {
  const size = tree.left_children.length;
  if (size === 0) return 'has no nodes';
  const arrays = [tree.right_children, tree.split_indices, tree.split_conditions, tree.default_left, tree.sum_hessian];
  if (arrays.some((array) => array.length !== size)) return 'node arrays differ in length';
  if (tree.split_type?.some((type) => type !== 0)) return 'categorical splits are not supported';
  for (let node = 0; node < size; node++) {
    const left = tree.left_children[node] ?? -1;
    const right = tree.right_children[node] ?? -1;
    if (left === -1) continue;
    if (!isNodeIndex(left, size) || !isNodeIndex(right, size)) return `node ${node} has a child out of range`;
    const feature = tree.split_indices[node] ?? -1;
    if (!Number.isInteger(feature) || feature < 0 || feature >= featureCount) {
      return `node ${node} splits on feature ${feature}, outside 0..${featureCount - 1}`;
    }
  }
  return null;
}

function isNodeIndex(value: number, size: number): boolean {
  return Number.isInteger(value) && value > 0 && value < size;
}

/** Depth of the deepest leaf, or null when a node is reachable twice (a cycle or shared child). */
function treeDepth(tree: TreeJson): number | null {
  const seen = new Uint8Array(tree.left_children.length);
  const stack: [number, number][] = [[0, 0]];
  let deepest = 0;
  while (stack.length > 0) {
    const [node, depth] = stack.pop() ?? [0, 0];
    if (seen[node]) return null;
    seen[node] = 1;
    deepest = Math.max(deepest, depth);
    const left = tree.left_children[node] ?? -1;
    if (left !== -1) stack.push([left, depth + 1], [tree.right_children[node] ?? -1, depth + 1]);
  }
  return deepest;
}
