// A ruleset in shadow: how often its would-be outcome agreed with the live answer, and where it differed.
import { useEffect, useState } from 'react';
import { api } from './api.ts';

interface ShadowComparison {
  decisions: number;
  agreed: number;
  disagreed: number;
  disagreements: { active: string; shadow: string; decisions: number }[];
}

export function RulesShadow(props: { version: string }) {
  const [comparison, setComparison] = useState<ShadowComparison | null>(null);
  useEffect(() => {
    const load = () =>
      api<ShadowComparison>('GET', `/v1/ops/rulesets/${encodeURIComponent(props.version)}/shadow`)
        .then(setComparison)
        .catch(() => undefined);
    void load();
    const timer = setInterval(() => void load(), 10_000);
    return () => clearInterval(timer);
  }, [props.version]);
  if (comparison === null) return null;
  return (
    <div aria-label={`Shadow of ${props.version}`}>
      In shadow on {comparison.decisions} live decisions: agreed {comparison.agreed}, disagreed {comparison.disagreed}
      {comparison.disagreements.length > 0 && (
        <ul className="plain">
          {comparison.disagreements.map((row) => (
            <li key={`${row.active}-${row.shadow}`}>
              live {row.active} → shadow {row.shadow}: {row.decisions}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
