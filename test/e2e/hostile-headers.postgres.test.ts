// The cases of hostile-headers.test.ts against a gateway whose metadata is in PostgreSQL.
import '../support/postgres-metadata.js';
import './hostile-headers.test.js';
