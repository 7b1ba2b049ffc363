// Builds a random but valid XGBoost JSON model of a chosen size, for benchmarks on machines without libxgboost.
import { makeRandom } from './synthetic-data.ts';

export interface RandomEnsembleOptions {
  readonly treeCount: number;
  readonly depth: number;
  readonly featureCount: number;
  readonly seed?: number;
}

interface TreeArrays {
  left_children: number[];
  right_children: number[];
  split_indices: number[];
  split_conditions: number[];
  default_left: number[];
  sum_hessian: number[];
  loss_changes: number[];
  split_type: number[];
}

export function makeRandomEnsembleJson(options: RandomEnsembleOptions): string {
  const random = makeRandom(options.seed ?? 11);
  const trees = Array.from({ length: options.treeCount }, (_, id) => {
    const tree = randomTree(random, options.depth, options.featureCount);
    const nodeCount = tree.left_children.length;
    // The fields below are unused by our walker but required by libxgboost's loader.
    return {
      id,
      ...tree,
      split_conditions: tree.split_conditions.map(asFloat),
      sum_hessian: tree.sum_hessian.map(asFloat),
      loss_changes: tree.loss_changes.map(asFloat),
      base_weights: tree.split_conditions.map(asFloat),
      parents: tree.left_children.map((_, node) => (node === 0 ? 2147483647 : Math.floor((node - 1) / 2))),
      categories: [],
      categories_nodes: [],
      categories_segments: [],
      categories_sizes: [],
      tree_param: {
        num_deleted: '0',
        num_feature: String(options.featureCount),
        num_nodes: String(nodeCount),
        size_leaf_vector: '0',
      },
    };
  });
  const json = JSON.stringify({
    learner: {
      attributes: {},
      feature_names: Array.from({ length: options.featureCount }, (_, index) => `feature_${index}`),
      feature_types: [],
      gradient_booster: {
        name: 'gbtree',
        model: {
          gbtree_model_param: { num_parallel_tree: '1', num_trees: String(trees.length), size_leaf_vector: '0' },
          tree_info: trees.map(() => 0),
          trees,
        },
      },
      learner_model_param: {
        base_score: '5E-1',
        boost_from_average: '1',
        num_class: '0',
        num_feature: String(options.featureCount),
        num_target: '1',
      },
      objective: { name: 'binary:logistic', reg_loss_param: { scale_pos_weight: '1' } },
    },
    version: [1, 7, 4],
  });
  return json.replace(/"float:([^"]+)"/g, '$1');
}

/**
 * libxgboost's JSON reader types 1000 as an integer and refuses it where it expects a float, so float
 * fields are written with a decimal point: marked as strings here and unquoted after stringify.
 */
function asFloat(value: number): string {
  return `float:${Number.isInteger(value) ? value.toFixed(1) : String(value)}`;
}

/** A complete binary tree, numbered breadth-first as XGBoost numbers its nodes. */
function randomTree(random: () => number, depth: number, featureCount: number): TreeArrays {
  const tree: TreeArrays = {
    left_children: [],
    right_children: [],
    split_indices: [],
    split_conditions: [],
    default_left: [],
    sum_hessian: [],
    loss_changes: [],
    split_type: [],
  };
  const nodeCount = 2 ** (depth + 1) - 1;
  const firstLeaf = 2 ** depth - 1;
  const covers: number[] = [];
  for (let node = 0; node < nodeCount; node++) {
    const parentCover = node === 0 ? 1000 : covers[Math.floor((node - 1) / 2)]!;
    const share = node === 0 ? 1 : node % 2 === 1 ? 0.2 + random() * 0.6 : 1 - leftShare(covers, node, parentCover);
    covers.push(Math.fround(parentCover * share));
    const isLeaf = node >= firstLeaf;
    tree.left_children.push(isLeaf ? -1 : 2 * node + 1);
    tree.right_children.push(isLeaf ? -1 : 2 * node + 2);
    tree.split_indices.push(isLeaf ? 0 : Math.floor(random() * featureCount));
    tree.split_conditions.push(Math.fround(isLeaf ? (random() - 0.5) * 0.4 : random()));
    tree.default_left.push(random() < 0.5 ? 1 : 0);
    tree.loss_changes.push(isLeaf ? 0 : random() * 10);
    tree.split_type.push(0);
  }
  tree.sum_hessian = covers;
  return tree;
}

/** The right child gets what its left sibling left over. */
function leftShare(covers: readonly number[], rightNode: number, parentCover: number): number {
  return covers[rightNode - 1]! / parentCover;
}
