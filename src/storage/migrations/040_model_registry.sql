-- The model registry: every trained version with its data range, parameters, metrics and cost-based thresholds.
-- One champion serves decisions; challengers score in shadow; retired ones are kept for rollback and audit.
CREATE TABLE model_versions (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('champion', 'challenger', 'retired')),
  model_json TEXT NOT NULL,
  metadata JSONB NOT NULL,
  data_from TIMESTAMPTZ,
  data_to TIMESTAMPTZ,
  params JSONB NOT NULL,
  metrics JSONB NOT NULL,
  thresholds JSONB NOT NULL,
  created_at TIMESTAMPTZ NOT NULL
);
-- At most one champion, enforced by the database rather than by care.
CREATE UNIQUE INDEX model_versions_one_champion ON model_versions (status) WHERE status = 'champion';

-- Promotion history, newest last: rollback returns to the champion before the current one.
CREATE TABLE model_promotions (
  seq BIGSERIAL PRIMARY KEY,
  model_id TEXT REFERENCES model_versions (id),
  previous_model_id TEXT REFERENCES model_versions (id),
  action TEXT NOT NULL CHECK (action IN ('promote', 'rollback')),
  at TIMESTAMPTZ NOT NULL
);

-- Challenger scores on live decisions, next to the champion's, for comparison before promotion.
CREATE TABLE model_shadow_scores (
  decision_id TEXT NOT NULL REFERENCES decisions (id),
  model_id TEXT NOT NULL REFERENCES model_versions (id),
  score DOUBLE PRECISION NOT NULL,
  champion_score DOUBLE PRECISION,
  decided_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (decision_id, model_id)
);
CREATE INDEX model_shadow_scores_model ON model_shadow_scores (model_id, decided_at);

-- Drift alerts raised when the population stability index of a feature or the score passes its limit.
CREATE TABLE model_drift_alerts (
  id TEXT PRIMARY KEY,
  model_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  psi DOUBLE PRECISION NOT NULL,
  raised_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX model_drift_alerts_raised ON model_drift_alerts (raised_at);
