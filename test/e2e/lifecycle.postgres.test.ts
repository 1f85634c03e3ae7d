// The cases of lifecycle.test.ts against a gateway whose metadata is in PostgreSQL.
import '../support/postgres-metadata.js';
import './lifecycle.test.js';
