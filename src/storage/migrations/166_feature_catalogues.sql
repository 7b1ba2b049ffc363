-- A compact decision record: a decision stores its features as a vector of values in the order of a feature
-- catalogue, named by its version; the names are stored here once per catalogue instead of once per decision.
CREATE TABLE feature_catalogues (
  version TEXT PRIMARY KEY,
  names JSONB NOT NULL,
  registered_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
