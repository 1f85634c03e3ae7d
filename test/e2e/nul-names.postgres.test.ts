// The cases of nul-names.test.ts against a gateway whose metadata is in PostgreSQL.
import '../support/postgres-metadata.js';
import './nul-names.test.js';
