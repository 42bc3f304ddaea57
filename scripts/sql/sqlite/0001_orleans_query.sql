-- Orleans ADO.NET query catalogue (SQLite, Microsoft.Data.Sqlite 10.0.15 / SQLite 3.53).
-- Idempotent: safe to run any number of times. Later files upsert their query rows into it.

CREATE TABLE IF NOT EXISTS OrleansQuery (
    QueryKey  TEXT NOT NULL PRIMARY KEY,
    QueryText TEXT NOT NULL
);
