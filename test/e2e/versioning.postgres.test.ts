// The cases of versioning.test.ts against a gateway whose metadata is in PostgreSQL.
import '../support/postgres-metadata.js';
import './versioning.test.js';
