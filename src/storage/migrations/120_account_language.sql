-- The language a consumer chose in the portal; when null, messages and pages follow Accept-Language, else Dutch.
ALTER TABLE accounts ADD COLUMN language TEXT CHECK (language IN ('nl', 'en'));
