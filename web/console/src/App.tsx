// The console shell: who is signed in, and the screens they work in.
import { useEffect, useState } from 'react';
import { api, type Staff } from './api.ts';
import { SignIn } from './SignIn.tsx';
import { Queue } from './Queue.tsx';
import { CaseView } from './CaseView.tsx';
import { Decisions } from './Decisions.tsx';
import type { QueueItem } from './desk.types.ts';
import { Cases } from './Cases.tsx';
import { Approvals } from './Approvals.tsx';
import { Alerts } from './Alerts.tsx';
import { Rules } from './Rules.tsx';
import { Monitoring } from './Monitoring.tsx';
import { AlertRules } from './AlertRules.tsx';
import { Graph } from './Graph.tsx';
import { Lists } from './Lists.tsx';
import { Models } from './Models.tsx';

// One entry per screen in the navigation; a new screen is one more name here and one more line in `main` below.
const screens = [
  'Queue',
  'Decisions',
  'Cases',
  'Approvals',
  'Rules',
  'Alerts',
  'Monitoring',
  'Thresholds & levers',
  'Graph',
  'Lists',
  'Models',
] as const;
type Screen = (typeof screens)[number];

const enrolmentToken = () => /(?:^#|&)enrol=([A-Za-z0-9_-]+)/.exec(location.hash)?.[1] ?? null;

export function App() {
  const [staff, setStaff] = useState<Staff | null | undefined>(undefined);
  const [token, setToken] = useState(enrolmentToken);
  const [screen, setScreen] = useState<Screen>('Queue');
  /** The queue item open in the case view (within the Queue screen). */
  const [caseId, setCaseId] = useState<string | null>(null);

  useEffect(() => {
    if (token) return setStaff(null);
    api<Staff>('GET', '/v1/ops/me')
      .then(setStaff)
      // Not signed in (401) or the server is unreachable: either way, offer the sign-in.
      .catch(() => setStaff(null));
  }, [token]);

  if (staff === undefined) return <main>Loading…</main>;
  if (staff === null) {
    const signedIn = (member: Staff) => {
      setToken(null);
      setStaff(member);
    };
    return <SignIn enrolmentToken={token} onSignedIn={signedIn} />;
  }

  async function nextItem() {
    const { item } = await api<{ item: QueueItem | null }>('POST', '/v1/ops/queue/next');
    setCaseId(item?.id ?? null);
  }

  async function signOut() {
    await api('POST', '/v1/ops/sign-out');
    setStaff(null);
  }

  return (
    <>
      <header>
        <strong>Rearguard ops</strong>
        <nav>
          {screens.map((name) => (
            <a
              key={name}
              href={`#${name.toLowerCase().replace(/[^a-z]+/g, '-')}`}
              aria-current={screen === name ? 'page' : undefined}
              onClick={(event) => {
                event.preventDefault();
                setScreen(name);
                setCaseId(null);
              }}
            >
              {name}
            </a>
          ))}
        </nav>
        <span>
          {staff.name} ({staff.role})
        </span>
        <button className="secondary" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      <main>
        {screen === 'Queue' &&
          (caseId ? (
            <CaseView itemId={caseId} onNext={() => void nextItem()} onBack={() => setCaseId(null)} />
          ) : (
            <Queue onOpen={setCaseId} />
          ))}
        {screen === 'Decisions' && <Decisions />}
        {screen === 'Cases' && <Cases />}
        {screen === 'Approvals' && <Approvals staff={staff} />}
        {screen === 'Rules' && <Rules />}
        {screen === 'Alerts' && <Alerts />}
        {screen === 'Monitoring' && <Monitoring />}
        {screen === 'Thresholds & levers' && <AlertRules />}
        {screen === 'Graph' && <Graph />}
        {screen === 'Lists' && <Lists />}
        {screen === 'Models' && <Models />}
      </main>
    </>
  );
}
