// The entity graph as /v1/ops/graph answers it, and merging several answers (a search and its expansions) into one.
export interface GraphNode {
  id: string;
  kind: 'account' | 'order' | 'email' | 'phone' | 'device' | 'ip' | 'address' | 'iban';
  key: string;
  label: string;
  first_seen: string;
  last_seen: string;
  fraud: boolean;
  pickup_point: boolean;
  open_order: boolean;
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  relation: string;
  first_seen: string;
  last_seen: string;
}

export interface DropCluster {
  address: string;
  label: string;
  accounts: string[];
  devices: string[];
  open_orders: string[];
}

export interface EntityGraph {
  root: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
  clusters: DropCluster[];
  truncated: boolean;
  limits: { depth: number; max_nodes: number };
}

/** The union of several graph answers; a node seen in more than one keeps its widest times and any fraud mark. */
export function mergeGraphs(graphs: readonly EntityGraph[]): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const nodes = new Map<string, GraphNode>();
  const edges = new Map<string, GraphEdge>();
  for (const graph of graphs) {
    for (const node of graph.nodes) {
      const known = nodes.get(node.id);
      nodes.set(
        node.id,
        known
          ? {
              ...known,
              fraud: known.fraud || node.fraud,
              first_seen: node.first_seen < known.first_seen ? node.first_seen : known.first_seen,
              last_seen: node.last_seen > known.last_seen ? node.last_seen : known.last_seen,
            }
          : node,
      );
    }
    for (const edge of graph.edges) edges.set(edge.id, edge);
  }
  return { nodes: [...nodes.values()], edges: [...edges.values()] };
}

/** Strips the kind from a node id: `account:acc_1` is account `acc_1`. */
export const keyOf = (nodeId: string) => nodeId.slice(nodeId.indexOf(':') + 1);
