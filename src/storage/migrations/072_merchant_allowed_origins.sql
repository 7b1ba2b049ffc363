-- The origins (scheme://host[:port]) of a merchant's shop pages that may embed the checkout widget and receive its
-- result by postMessage; empty: none. Set by an admin (PUT /v1/admin/merchants/{id}/allowed-origins).
ALTER TABLE merchants ADD COLUMN allowed_origins JSONB NOT NULL DEFAULT '[]'::jsonb;
