// The cases of hostile-xml.test.ts against a gateway whose metadata is in PostgreSQL.
import '../support/postgres-metadata.js';
import './hostile-xml.test.js';
