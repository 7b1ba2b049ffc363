// Exact TreeSHAP (Lundberg et al., "Consistent Individualized Feature Attribution for Tree Ensembles"):
// per-feature contributions to one row's margin, equal to libxgboost's pred_contribs.
import type { TreeEnsemble } from './tree-ensemble.ts';

/**
 * Scratch space for one ensemble: the "unique path" of TreeSHAP, stored column-wise. Each recursion
 * level copies its parent's path into the next slice, so depth d needs (d + 1)(d + 2) / 2 slots.
 */
export interface ShapWorkspace {
  readonly features: Int32Array;
  readonly zeroFractions: Float64Array;
  readonly oneFractions: Float64Array;
  readonly weights: Float64Array;
}

export interface ShapExplainer {
  /**
   * Contributions of each feature plus, at index featureCount, the bias (expected margin including
   * base_score). They sum to the row's margin.
   */
  contributions(row: Float32Array): Float64Array;
  /**
   * Saabas' path attribution (XGBoost's approx_contribs): each split on the row's path credits its
   * feature with the change in expected value. O(depth) per tree, as cheap as scoring, but not consistent.
   */
  approximateContributions(row: Float32Array): Float64Array;
}

export function makeShapExplainer(ensemble: TreeEnsemble): ShapExplainer {
  const meanValues = nodeMeanValues(ensemble);
  const depthBound = ensemble.maxDepth + 3;
  const slots = (depthBound * (depthBound + 1)) / 2 + 1;
  const workspace: ShapWorkspace = {
    features: new Int32Array(slots),
    zeroFractions: new Float64Array(slots),
    oneFractions: new Float64Array(slots),
    weights: new Float64Array(slots),
  };
  let expectedMargin = ensemble.baseMargin;
  for (const root of ensemble.treeRoots) expectedMargin += meanValues[root]!;
  const featureCount = ensemble.featureNames.length;
  return {
    contributions(row) {
      const phi = new Float64Array(featureCount + 1);
      phi[featureCount] = expectedMargin;
      for (const root of ensemble.treeRoots) {
        recurse(ensemble, row, phi, workspace, root, 0, 0, 1, 1, -1);
      }
      return phi;
    },
    approximateContributions(row) {
      const phi = new Float64Array(featureCount + 1);
      phi[featureCount] = expectedMargin;
      for (const root of ensemble.treeRoots) {
        let node = root;
        let feature = ensemble.splitFeatures[node]!;
        while (feature >= 0) {
          const next = hotChild(ensemble, row, node, feature);
          phi[feature]! += meanValues[next]! - meanValues[node]!;
          node = next;
          feature = ensemble.splitFeatures[node]!;
        }
      }
      return phi;
    },
  };
}

/** The cover-weighted mean leaf value under each node: what the tree predicts when nothing is known. */
function nodeMeanValues(ensemble: TreeEnsemble): Float64Array {
  const { leftChildren, rightChildren, values, covers, treeRoots } = ensemble;
  const means = new Float64Array(values.length);
  for (const root of treeRoots) {
    // Children follow their parent in XGBoost's numbering only loosely, so go by an explicit post-order.
    const order: number[] = [];
    const stack = [root];
    while (stack.length > 0) {
      const node = stack.pop()!;
      order.push(node);
      if (leftChildren[node]! >= 0) stack.push(leftChildren[node]!, rightChildren[node]!);
    }
    for (let index = order.length - 1; index >= 0; index--) {
      const node = order[index]!;
      const left = leftChildren[node]!;
      if (left < 0) {
        means[node] = values[node]!;
      } else {
        const right = rightChildren[node]!;
        means[node] = (means[left]! * covers[left]! + means[right]! * covers[right]!) / covers[node]!;
      }
    }
  }
  return means;
}

function hotChild(ensemble: TreeEnsemble, row: Float32Array, node: number, feature: number): number {
  const value = row[feature]!;
  const threshold = ensemble.values[node]!;
  if (value < threshold) return ensemble.leftChildren[node]!;
  if (value >= threshold) return ensemble.rightChildren[node]!;
  return ensemble.missingChildren[node]!;
}

function recurse(
  ensemble: TreeEnsemble,
  row: Float32Array,
  phi: Float64Array,
  path: ShapWorkspace,
  node: number,
  parentStart: number,
  uniqueDepth: number,
  parentZeroFraction: number,
  parentOneFraction: number,
  parentFeature: number,
): void {
  const start = parentStart + uniqueDepth + 1;
  // A plain loop: copyWithin's call overhead dominates for paths this short.
  for (let index = 0; index <= uniqueDepth; index++) {
    path.features[start + index] = path.features[parentStart + index]!;
    path.zeroFractions[start + index] = path.zeroFractions[parentStart + index]!;
    path.oneFractions[start + index] = path.oneFractions[parentStart + index]!;
    path.weights[start + index] = path.weights[parentStart + index]!;
  }
  extendPath(path, start, uniqueDepth, parentZeroFraction, parentOneFraction, parentFeature);

  const feature = ensemble.splitFeatures[node]!;
  if (feature < 0) {
    const leafValue = ensemble.values[node]!;
    for (let index = 1; index <= uniqueDepth; index++) {
      const weight = unwoundPathSum(path, start, uniqueDepth, index);
      const at = start + index;
      phi[path.features[at]!]! += weight * (path.oneFractions[at]! - path.zeroFractions[at]!) * leafValue;
    }
    return;
  }

  const hot = hotChild(ensemble, row, node, feature);
  const cold = hot === ensemble.leftChildren[node] ? ensemble.rightChildren[node]! : ensemble.leftChildren[node]!;
  const cover = ensemble.covers[node]!;
  let incomingZeroFraction = 1;
  let incomingOneFraction = 1;
  let depth = uniqueDepth;
  // A feature met again further down is taken out of the path and re-entered with combined fractions.
  for (let index = 0; index <= depth; index++) {
    if (path.features[start + index] === feature) {
      incomingZeroFraction = path.zeroFractions[start + index]!;
      incomingOneFraction = path.oneFractions[start + index]!;
      unwindPath(path, start, depth, index);
      depth -= 1;
      break;
    }
  }
  const hotZero = (ensemble.covers[hot]! / cover) * incomingZeroFraction;
  const coldZero = (ensemble.covers[cold]! / cover) * incomingZeroFraction;
  recurse(ensemble, row, phi, path, hot, start, depth + 1, hotZero, incomingOneFraction, feature);
  recurse(ensemble, row, phi, path, cold, start, depth + 1, coldZero, 0, feature);
}

function extendPath(
  path: ShapWorkspace,
  start: number,
  depth: number,
  zeroFraction: number,
  oneFraction: number,
  feature: number,
): void {
  const { weights } = path;
  path.features[start + depth] = feature;
  path.zeroFractions[start + depth] = zeroFraction;
  path.oneFractions[start + depth] = oneFraction;
  weights[start + depth] = depth === 0 ? 1 : 0;
  for (let index = depth - 1; index >= 0; index--) {
    weights[start + index + 1]! += (oneFraction * weights[start + index]! * (index + 1)) / (depth + 1);
    weights[start + index] = (zeroFraction * weights[start + index]! * (depth - index)) / (depth + 1);
  }
}

function unwindPath(path: ShapWorkspace, start: number, depth: number, pathIndex: number): void {
  const { weights } = path;
  const oneFraction = path.oneFractions[start + pathIndex]!;
  const zeroFraction = path.zeroFractions[start + pathIndex]!;
  let nextOnePortion = weights[start + depth]!;
  for (let index = depth - 1; index >= 0; index--) {
    if (oneFraction !== 0) {
      const saved = weights[start + index]!;
      weights[start + index] = (nextOnePortion * (depth + 1)) / ((index + 1) * oneFraction);
      nextOnePortion = saved - (weights[start + index]! * zeroFraction * (depth - index)) / (depth + 1);
    } else {
      weights[start + index] = (weights[start + index]! * (depth + 1)) / (zeroFraction * (depth - index));
    }
  }
  for (let index = pathIndex; index < depth; index++) {
    path.features[start + index] = path.features[start + index + 1]!;
    path.zeroFractions[start + index] = path.zeroFractions[start + index + 1]!;
    path.oneFractions[start + index] = path.oneFractions[start + index + 1]!;
  }
}

/**
 * The total permutation weight if the element at pathIndex were unwound, without changing the path.
 * One fractions are always 0 or 1 (a row either follows a branch or not), so the divisions of the
 * paper's version reduce to multiplications by small reciprocals; this is the hottest loop of TreeSHAP.
 */
function unwoundPathSum(path: ShapWorkspace, start: number, depth: number, pathIndex: number): number {
  const { weights } = path;
  const oneFraction = path.oneFractions[start + pathIndex]!;
  const zeroFraction = path.zeroFractions[start + pathIndex]!;
  let total = 0;
  if (oneFraction !== 0) {
    const toOnes = (depth + 1) / oneFraction;
    const fromZeros = zeroFraction / (depth + 1);
    let nextOnePortion = weights[start + depth]!;
    for (let index = depth - 1; index >= 0; index--) {
      const share = nextOnePortion * toOnes * reciprocals[index + 1]!;
      total += share;
      nextOnePortion = weights[start + index]! - share * fromZeros * (depth - index);
    }
  } else if (zeroFraction !== 0) {
    const perZero = (depth + 1) / zeroFraction;
    for (let index = depth - 1; index >= 0; index--) {
      total += weights[start + index]! * perZero * reciprocals[depth - index]!;
    }
  }
  return total;
}

/** 1 / k for path lengths up to any realistic tree depth (XGBoost caps max_depth far below this). */
const reciprocals = Float64Array.from({ length: 256 }, (_, k) => (k === 0 ? 0 : 1 / k));
