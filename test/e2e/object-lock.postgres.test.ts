// The cases of object-lock.test.ts against a gateway whose metadata is in PostgreSQL.
import '../support/postgres-metadata.js';
import './object-lock.test.js';
