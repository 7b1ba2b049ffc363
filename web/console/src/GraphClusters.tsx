// Drop-address clusters of the graph: block-list all their addresses and devices and hold their open orders at once.
import { useState } from 'react';
import { api } from './api.ts';
import { keyOf, type DropCluster } from './graph.types.ts';

export function GraphClusters(props: {
  clusters: readonly DropCluster[];
  onSelectAccounts: (accountNodeIds: string[]) => void;
  onDone: (message: string) => void;
}) {
  const [reason, setReason] = useState('');

  async function act(cluster: DropCluster) {
    const result = await api<{ listed: { outcome: string }[]; held: string[] }>('POST', '/v1/ops/graph/clusters/act', {
      addresses: [keyOf(cluster.address)],
      devices: cluster.devices.map(keyOf),
      hold_orders: cluster.open_orders.map(keyOf),
      reason,
    });
    const listed = result.listed.filter((entry) => entry.outcome === 'listed').length;
    props.onDone(`Cluster at ${cluster.label}: ${listed} entries block-listed, ${result.held.length} shipments held.`);
  }

  if (props.clusters.length === 0) return <p>No drop-address clusters.</p>;
  return (
    <div aria-label="Drop-address clusters">
      <h3>Drop-address clusters</h3>
      <label>
        Reason
        <input value={reason} onChange={(event) => setReason(event.target.value)} />
      </label>
      <ul className="plain">
        {props.clusters.map((cluster) => (
          <li key={cluster.address} data-cluster={cluster.address}>
            <strong>{cluster.label}</strong>: {cluster.accounts.length} accounts, {cluster.devices.length} devices,{' '}
            {cluster.open_orders.length} open orders
            <div className="actions">
              <button className="secondary" onClick={() => props.onSelectAccounts(cluster.accounts)}>
                Select its accounts
              </button>
              <button disabled={reason.trim() === ''} onClick={() => void act(cluster)}>
                Block and hold all
              </button>
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}
