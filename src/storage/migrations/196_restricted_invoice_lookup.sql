-- An erased person's unpaid invoice stays payable: a payment finds its restricted records by the invoice id.
CREATE INDEX restricted_records_invoice ON restricted_records ((coalesce(payload->>'invoice_id', payload->'invoice'->>'id')))
  WHERE kind IN ('invoice', 'open_debt');
