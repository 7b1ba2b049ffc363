// Edit a ruleset as a new version: the JSON document, validated on the server with each error shown at its path.
import { useEffect, useState } from 'react';
import { api, ApiFailure } from './api.ts';

interface Validation {
  valid: boolean;
  errors: { path: string; message: string }[];
}

export function RulesEditor(props: { from: string; onSaved: (version: string) => void; onClose: () => void }) {
  const [text, setText] = useState<string | null>(null);
  const [validation, setValidation] = useState<Validation | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  useEffect(() => {
    void api<{ body: Record<string, unknown> }>('GET', `/v1/ops/rulesets/${encodeURIComponent(props.from)}`).then(
      (row) => setText(JSON.stringify({ ...row.body, version: `${props.from}-edit` }, null, 2)),
    );
  }, [props.from]);
  if (text === null) return <p>Loading {props.from}…</p>;

  function parsed(): unknown {
    try {
      return JSON.parse(text ?? '');
    } catch (error) {
      setValidation({ valid: false, errors: [{ path: '(document)', message: (error as Error).message }] });
      return undefined;
    }
  }

  async function validate(): Promise<unknown> {
    const ruleset = parsed();
    if (ruleset === undefined) return undefined;
    const result = await api<Validation>('POST', '/v1/ops/rulesets/validate', { ruleset });
    setValidation(result);
    return result.valid ? ruleset : undefined;
  }

  async function save() {
    const ruleset = await validate();
    if (ruleset === undefined) return;
    try {
      const stored = await api<{ version: string }>('POST', '/v1/ops/rulesets', { ruleset });
      props.onSaved(stored.version);
    } catch (failure) {
      setMessage(failure instanceof ApiFailure ? failure.message : 'that did not work');
    }
  }

  return (
    <div className="rules-editor" aria-label="Ruleset editor">
      <label>
        Ruleset document (edit the version, rules, score and thresholds)
        <textarea value={text} onChange={(event) => setText(event.target.value)} rows={18} spellCheck={false} />
      </label>
      {validation && (
        <div aria-label="Validation" role="status">
          {validation.valid ? (
            <p>Valid: every rule fits the schema and reads known features.</p>
          ) : (
            <ul className="plain">
              {validation.errors.map((error, index) => (
                <li key={index} className="sla urgent">
                  <code>{error.path || '(ruleset)'}</code> {error.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {message && <p role="alert">{message}</p>}
      <div className="actions">
        <button className="secondary" onClick={() => void validate()}>
          Validate
        </button>
        <button onClick={() => void save()}>Save as new version</button>
        <button className="secondary" onClick={props.onClose}>
          Close editor
        </button>
      </div>
    </div>
  );
}
