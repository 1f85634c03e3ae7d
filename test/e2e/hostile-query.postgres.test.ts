// The cases of hostile-query.test.ts against a gateway whose metadata is in PostgreSQL.
import '../support/postgres-metadata.js';
import './hostile-query.test.js';
