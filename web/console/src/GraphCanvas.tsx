// Draws the entity graph with Cytoscape: one shape and colour per entity kind, fraud outlined red, pick-up points apart.
import { useEffect, useRef } from 'react';
import cytoscape, { type Core } from 'cytoscape';
import type { GraphEdge, GraphNode } from './graph.types.ts';

const colours: Record<GraphNode['kind'], string> = {
  account: '#1f5fbf',
  order: '#7a7a7a',
  email: '#2e8b57',
  phone: '#2e8b57',
  device: '#8e44ad',
  ip: '#b07d12',
  address: '#d35400',
  iban: '#16808a',
};

const style: cytoscape.StylesheetJson = [
  {
    selector: 'node',
    style: {
      label: 'data(label)',
      'font-size': 10,
      'text-valign': 'bottom',
      'text-margin-y': 4,
      'background-color': 'data(colour)',
      width: 22,
      height: 22,
    },
  },
  { selector: 'node[kind = "account"]', style: { width: 30, height: 30 } },
  { selector: 'node[kind = "order"]', style: { shape: 'round-rectangle', width: 16, height: 12 } },
  { selector: 'node[kind = "address"]', style: { shape: 'round-tag' } },
  { selector: 'node[?pickup]', style: { shape: 'diamond', 'background-color': '#e0a96d' } },
  { selector: 'node[kind = "device"]', style: { shape: 'hexagon' } },
  { selector: 'node[?fraud]', style: { 'border-width': 4, 'border-color': '#b3261e' } },
  { selector: 'node[?root]', style: { 'underlay-color': '#ffd54f', 'underlay-opacity': 0.6, 'underlay-padding': 6 } },
  { selector: 'node:selected', style: { 'overlay-color': '#1f5fbf', 'overlay-opacity': 0.25 } },
  {
    selector: 'edge',
    style: { width: 1.5, 'line-color': '#b8b8b8', 'curve-style': 'bezier', label: '', 'font-size': 8 },
  },
];

export function GraphCanvas(props: {
  nodes: readonly GraphNode[];
  edges: readonly GraphEdge[];
  root: string;
  onSelect: (nodeId: string | null) => void;
}) {
  const container = useRef<HTMLDivElement>(null);
  const cy = useRef<Core | null>(null);
  const onSelect = useRef(props.onSelect);
  onSelect.current = props.onSelect;

  useEffect(() => {
    const instance = cytoscape({ container: container.current, style, wheelSensitivity: 0.3 });
    instance.on('tap', 'node', (event) => onSelect.current(event.target.id() as string));
    instance.on('tap', (event) => {
      if (event.target === instance) onSelect.current(null);
    });
    cy.current = instance;
    return () => instance.destroy();
  }, []);

  useEffect(() => {
    const instance = cy.current;
    if (!instance) return;
    const shown = new Set(props.nodes.map((node) => node.id));
    instance.batch(() => {
      instance.elements().remove();
      instance.add([
        ...props.nodes.map((node) => ({
          group: 'nodes' as const,
          data: {
            id: node.id,
            label: node.label,
            kind: node.kind,
            colour: colours[node.kind],
            fraud: node.fraud,
            pickup: node.pickup_point,
            root: node.id === props.root,
          },
        })),
        ...props.edges
          .filter((edge) => shown.has(edge.source) && shown.has(edge.target))
          .map((edge) => ({
            group: 'edges' as const,
            data: { id: edge.id, source: edge.source, target: edge.target },
          })),
      ]);
    });
    instance.layout({ name: 'cose', animate: false, randomize: false, nodeRepulsion: () => 9000 }).run();
    instance.fit(undefined, 30);
    // What Cytoscape holds, not what it was given: a test reads this to know the drawing has the ring in it.
    if (container.current) container.current.dataset.drawnNodes = String(instance.nodes().length);
  }, [props.nodes, props.edges, props.root]);

  return <div ref={container} className="graph-canvas" role="img" aria-label="Entity graph" />;
}
