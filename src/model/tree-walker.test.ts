// Hand-built XGBoost JSON models pin down the walker's semantics without needing libxgboost.
import { describe, expect, it } from 'vitest';
import { loadModel } from './scoring-model.ts';

interface NodeSpec {
  readonly feature?: number;
  readonly threshold?: number;
  readonly defaultLeft?: boolean;
  readonly left?: number;
  readonly right?: number;
  readonly leaf?: number;
  readonly cover: number;
}

function treeJson(nodes: readonly NodeSpec[], id: number) {
  return {
    id,
    left_children: nodes.map((node) => node.left ?? -1),
    right_children: nodes.map((node) => node.right ?? -1),
    split_indices: nodes.map((node) => node.feature ?? 0),
    split_conditions: nodes.map((node) => node.threshold ?? node.leaf ?? 0),
    default_left: nodes.map((node) => (node.defaultLeft ? 1 : 0)),
    sum_hessian: nodes.map((node) => node.cover),
    loss_changes: nodes.map((node) => (node.left === undefined ? 0 : 1)),
    split_type: nodes.map(() => 0),
    base_weights: nodes.map(() => 0),
    parents: nodes.map(() => 0),
    categories: [],
    categories_nodes: [],
    categories_segments: [],
    categories_sizes: [],
    tree_param: { num_deleted: '0', num_feature: '2', num_nodes: String(nodes.length), size_leaf_vector: '0' },
  };
}

function modelJson(trees: readonly (readonly NodeSpec[])[], baseScore = '5E-1', objective = 'binary:logistic') {
  return JSON.stringify({
    learner: {
      attributes: {},
      feature_names: ['amount', 'account_age_days'],
      feature_types: [],
      gradient_booster: {
        name: 'gbtree',
        model: {
          gbtree_model_param: { num_parallel_tree: '1', num_trees: String(trees.length), size_leaf_vector: '0' },
          tree_info: trees.map(() => 0),
          trees: trees.map((tree, index) => treeJson(tree, index)),
        },
      },
      learner_model_param: { base_score: baseScore, boost_from_average: '1', num_class: '0', num_feature: '2' },
      objective: { name: objective, reg_loss_param: { scale_pos_weight: '1' } },
    },
    version: [1, 7, 4],
  });
}

// amount < 0.1 (missing goes left) -> 0.1; else account_age_days < 2 (missing goes right) -> -0.2 / 0.3.
const splitTree: NodeSpec[] = [
  { feature: 0, threshold: 0.1, defaultLeft: true, left: 1, right: 2, cover: 10 },
  { leaf: 0.1, cover: 4 },
  { feature: 1, threshold: 2, defaultLeft: false, left: 3, right: 4, cover: 6 },
  { leaf: -0.2, cover: 3 },
  { leaf: 0.3, cover: 3 },
];
const leafTree: NodeSpec[] = [{ leaf: 0.05, cover: 10 }];

function load(json: string) {
  const loaded = loadModel(json);
  if (!loaded.ok) throw new Error(loaded.error.message);
  return loaded.value;
}

describe('tree walker', () => {
  const model = load(modelJson([splitTree, leafTree]));
  const sigmoid = (margin: number) => 1 / (1 + Math.exp(-margin));

  it.each([
    { row: [0.05, 5], margin: 0.15, why: 'below the threshold goes left' },
    { row: [0.1, 5], margin: 0.35, why: 'a double 0.1 rounds to the float32 threshold, which is not less' },
    { row: [Number.NaN, 1], margin: 0.15, why: 'missing follows default_left = 1' },
    { row: [0.7, Number.NaN], margin: 0.35, why: 'missing follows default_left = 0' },
    { row: [0.7, 1.5], margin: -0.15, why: 'second split goes left' },
    { row: [0.7, 2], margin: 0.35, why: 'equal to the threshold goes right' },
  ])('$why', ({ row, margin }) => {
    expect(model.margin(row)).toBeCloseTo(margin, 6);
    expect(model.score(row)).toBeCloseTo(sigmoid(margin), 6);
    expect(model.score(Float32Array.from(row))).toBe(model.score(row));
  });

  it('maps base_score through the logit, and keeps it for squared error', () => {
    expect(load(modelJson([leafTree], '2E-1')).margin([0, 0])).toBeCloseTo(Math.log(0.2 / 0.8) + 0.05, 6);
    const regression = load(modelJson([leafTree], '[2E-1]', 'reg:squarederror'));
    expect(regression.score([0, 0])).toBeCloseTo(0.25, 6);
  });

  it('gives exact contributions for a stump: leaf minus cover-weighted mean', () => {
    const stump: NodeSpec[] = [
      { feature: 0, threshold: 0.1, left: 1, right: 2, cover: 10 },
      { leaf: 1, cover: 4 },
      { leaf: -1, cover: 6 },
    ];
    const { byFeature, bias } = load(modelJson([stump])).contributions([0, 0]);
    expect(bias).toBeCloseTo(-0.2, 9);
    expect(byFeature[0]).toBeCloseTo(1.2, 9);
    expect(byFeature[1]).toBe(0);
  });

  it('splits credit between two features that both decide the path', () => {
    const { byFeature, bias } = model.contributions([0.7, 1.5]);
    expect(bias + byFeature[0]! + byFeature[1]!).toBeCloseTo(model.margin([0.7, 1.5]), 6);
    expect(byFeature[1]).toBeLessThan(0);
  });

  it('builds rows by feature name, anything unknown or non-numeric is missing', () => {
    const row = model.rowFromRecord({ amount: 3, account_age_days: null, other: 1 });
    expect(Array.from(row)).toEqual([3, Number.NaN]);
    expect(Array.from(model.rowFromRecord({ amount: true, account_age_days: 'x' }))).toEqual([1, Number.NaN]);
  });

  it('scores many rows at once like one at a time', () => {
    const rows = Float32Array.from([0.05, 5, 0.7, 1.5, Number.NaN, Number.NaN]);
    expect(Array.from(model.scoreRows(rows))).toEqual(
      [
        [0.05, 5],
        [0.7, 1.5],
        [Number.NaN, Number.NaN],
      ].map((row) => model.score(row)),
    );
  });

  it('throws on a row of the wrong length: that is a programming error', () => {
    expect(() => model.score([1])).toThrow(RangeError);
  });
});

describe('loading a model', () => {
  it.each([
    { json: 'not json', code: 'invalid_model' },
    { json: '{"learner":{}}', code: 'invalid_model' },
    { json: modelJson([splitTree], '5E-1', 'multi:softprob'), code: 'unsupported_model' },
    { json: modelJson([splitTree], '0'), code: 'invalid_model' },
    {
      json: modelJson([[{ feature: 5, threshold: 1, left: 1, right: 2, cover: 1 }, ...leafTree, ...leafTree]]),
      code: 'invalid_model',
    },
    {
      json: modelJson([[{ feature: 0, threshold: 1, left: 1, right: 1, cover: 1 }, ...leafTree]]),
      code: 'invalid_model',
    },
  ])('rejects with $code', ({ json, code }) => {
    const loaded = loadModel(json);
    expect(loaded.ok).toBe(false);
    if (!loaded.ok) expect(loaded.error.code).toBe(code);
  });
});
