-- The entity graph searches orders by the identifiers they carried: one index per identifier it follows, on the
-- same expressions the graph repository queries, so a search from a busy device does not scan every order.
CREATE INDEX IF NOT EXISTS orders_device_id ON orders ((input->'device'->>'id'));
CREATE INDEX IF NOT EXISTS orders_device_ip ON orders ((lower(input->'device'->>'ip')));
CREATE INDEX IF NOT EXISTS orders_customer_email ON orders ((lower(input->'customer'->>'email')));
CREATE INDEX IF NOT EXISTS orders_shipping_postcode
  ON orders ((upper(regexp_replace(input->'shipping_address'->>'postal_code', '\s', '', 'g'))));
CREATE INDEX IF NOT EXISTS orders_billing_postcode
  ON orders ((upper(regexp_replace(input->'billing_address'->>'postal_code', '\s', '', 'g'))));
