// The entity graph screen: search any identifier, read the ring, expand or collapse a node, slide through time, mark
// accounts as confirmed fraud and act on a whole drop-address cluster at once.
import { useMemo, useState } from 'react';
import { api } from './api.ts';
import { GraphCanvas } from './GraphCanvas.tsx';
import { GraphClusters } from './GraphClusters.tsx';
import { keyOf, mergeGraphs, type EntityGraph, type GraphNode } from './graph.types.ts';

const day = (iso: string) => iso.slice(0, 10);

export function Graph() {
  const [identifier, setIdentifier] = useState('');
  const [depth, setDepth] = useState(2);
  const [base, setBase] = useState<EntityGraph | null>(null);
  /** Graphs fetched by expanding a node, by the node expanded: collapsing drops its graph again. */
  const [expansions, setExpansions] = useState<Record<string, EntityGraph>>({});
  const [selected, setSelected] = useState<string | null>(null);
  const [until, setUntil] = useState<number | null>(null);
  const [marked, setMarked] = useState<Set<string>>(new Set());
  const [note, setNote] = useState('');
  const [message, setMessage] = useState<string | null>(null);

  async function fetchGraph(value: string, kind?: string, hops = depth) {
    const query = new URLSearchParams({ identifier: value, depth: String(hops) });
    if (kind) query.set('kind', kind);
    return api<EntityGraph>('GET', `/v1/ops/graph?${query}`);
  }

  async function search() {
    try {
      setBase(await fetchGraph(identifier));
      setExpansions({});
      setSelected(null);
      setUntil(null);
      setMessage(null);
    } catch (failure) {
      setMessage(failure instanceof Error ? failure.message : 'search failed');
    }
  }

  const merged = useMemo(() => mergeGraphs(base ? [base, ...Object.values(expansions)] : []), [base, expansions]);
  const days = useMemo(
    () => [...new Set(merged.nodes.map((node) => day(node.first_seen)).filter((value) => value > '1970-01-01'))].sort(),
    [merged],
  );
  const cutoff = until === null ? null : days[until];
  const visible = useMemo(() => {
    if (!cutoff) return merged.nodes;
    return merged.nodes.filter((node) => node.id === base?.root || day(node.first_seen) <= cutoff);
  }, [merged, cutoff, base]);
  const accounts = visible.filter((node) => node.kind === 'account');
  const selectedNode: GraphNode | undefined = merged.nodes.find((node) => node.id === selected);

  async function toggleExpansion(node: GraphNode) {
    if (expansions[node.id]) {
      const { [node.id]: _collapsed, ...rest } = expansions;
      setExpansions(rest);
      return;
    }
    // Two hops: the node's own orders are usually drawn already; what is new is who else shares their entities.
    const graph = await fetchGraph(node.key, node.kind, 2);
    setExpansions((previous) => ({ ...previous, [node.id]: graph }));
  }

  async function markFraud() {
    const chosen = [...marked].map(keyOf);
    const result = await api<{ data: { labelled_orders: string[] }[] }>('POST', '/v1/ops/graph/mark-fraud', {
      accounts: chosen,
      note,
    });
    const orders = result.data.reduce((total, row) => total + row.labelled_orders.length, 0);
    setMessage(`Marked ${chosen.length} accounts as confirmed fraud (${orders} orders labelled).`);
    setMarked(new Set());
    if (base) setBase(await fetchGraph(keyOf(base.root), base.root.slice(0, base.root.indexOf(':'))));
  }

  const toggleMark = (id: string) =>
    setMarked((previous) => {
      const next = new Set(previous);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <section className="graph-screen">
      <form
        className="filters"
        onSubmit={(event) => {
          event.preventDefault();
          void search();
        }}
      >
        <label>
          Identifier (e-mail, phone, device, IP, address key, IBAN, account, order)
          <input value={identifier} onChange={(event) => setIdentifier(event.target.value)} size={40} />
        </label>
        <label>
          Depth
          <select value={depth} onChange={(event) => setDepth(Number(event.target.value))}>
            {[1, 2, 3, 4].map((value) => (
              <option key={value}>{value}</option>
            ))}
          </select>
        </label>
        <button type="submit">Search graph</button>
      </form>
      {message && <p role="status">{message}</p>}
      {base && (
        <>
          {base.truncated && (
            <p className="notice">
              Cut short at depth {base.limits.depth} or {base.limits.max_nodes} entities: there is more beyond it.
            </p>
          )}
          <label className="inline">
            Seen until {cutoff ?? 'now'}
            <input
              type="range"
              aria-label="Time"
              min={0}
              max={Math.max(days.length - 1, 0)}
              value={until ?? days.length - 1}
              onChange={(event) => setUntil(Number(event.target.value))}
            />
          </label>
          <div className="graph-layout">
            <GraphCanvas nodes={visible} edges={merged.edges} root={base.root} onSelect={setSelected} />
            <aside>
              {selectedNode && (
                <div aria-label="Selected entity" className="selected">
                  <strong>{selectedNode.kind}</strong> {selectedNode.label}
                  <br />
                  seen {day(selectedNode.first_seen)} – {day(selectedNode.last_seen)}
                  {selectedNode.fraud && <span className="sla urgent"> · fraud</span>}
                  {selectedNode.pickup_point && <span> · pick-up point</span>}
                  <button className="secondary" onClick={() => void toggleExpansion(selectedNode)}>
                    {expansions[selectedNode.id] ? 'Collapse' : 'Expand'}
                  </button>
                </div>
              )}
              <h3>Accounts ({accounts.length})</h3>
              <ul aria-label="Accounts in the graph" className="plain">
                {accounts.map((node) => (
                  <li key={node.id} data-account={keyOf(node.id)}>
                    <label className="inline">
                      <input type="checkbox" checked={marked.has(node.id)} onChange={() => toggleMark(node.id)} />
                      {node.label}
                      {node.fraud && <span className="sla urgent">fraud</span>}
                    </label>
                    <button className="link" onClick={() => setSelected(node.id)}>
                      Show
                    </button>
                  </li>
                ))}
              </ul>
              <label>
                Note
                <input value={note} onChange={(event) => setNote(event.target.value)} />
              </label>
              <button disabled={marked.size === 0 || note.trim() === ''} onClick={() => void markFraud()}>
                Mark selected as confirmed fraud
              </button>
              <GraphClusters
                clusters={base.clusters}
                onSelectAccounts={(ids) => setMarked(new Set(ids))}
                onDone={setMessage}
              />
            </aside>
          </div>
        </>
      )}
    </section>
  );
}
