// The cases of hostile-keys.test.ts against a gateway whose metadata is in PostgreSQL.
import '../support/postgres-metadata.js';
import './hostile-keys.test.js';
