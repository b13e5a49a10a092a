/// Append-only, named schema migrations. Never edit or reorder a shipped migration: add one.
/// `PRAGMA user_version` holds the number applied; `schema_migrations` names them.
struct Migration {
    let name: String
    let sql: String
}

enum Migrations {
    static let all: [Migration] = [
        Migration(
            name: "001_initial_schema",
            sql: """
                CREATE TABLE symbols (
                    id          INTEGER PRIMARY KEY,
                    symbol      TEXT NOT NULL UNIQUE,
                    name        TEXT,
                    type        TEXT,
                    exchange    TEXT,
                    active      INTEGER NOT NULL DEFAULT 1,
                    market_cap  REAL,
                    industry    TEXT,
                    description TEXT,
                    list_date   INTEGER,          -- yyyymmdd
                    delist_date INTEGER,          -- yyyymmdd
                    updated_at  TEXT NOT NULL     -- ISO 8601 UTC
                );

                -- What a provider returned, normalised to rows, with provenance. Kept until vacuum.
                CREATE TABLE bronze_bars (
                    id         INTEGER PRIMARY KEY,
                    run_id     INTEGER REFERENCES runs(id),
                    provider   TEXT NOT NULL,
                    endpoint   TEXT NOT NULL,
                    fetched_at TEXT NOT NULL,
                    symbol     TEXT NOT NULL,
                    session    INTEGER NOT NULL,  -- yyyymmdd
                    open REAL, high REAL, low REAL, close REAL, volume REAL, vwap REAL, trades INTEGER
                );
                CREATE INDEX bronze_bars_fetched_at ON bronze_bars(fetched_at);

                -- The consolidated daily history: one row per (symbol, session).
                CREATE TABLE bars_daily (
                    symbol_id INTEGER NOT NULL REFERENCES symbols(id),
                    session   INTEGER NOT NULL,   -- yyyymmdd, New York session date
                    open REAL NOT NULL, high REAL NOT NULL, low REAL NOT NULL, close REAL NOT NULL,
                    volume REAL NOT NULL, vwap REAL, trades INTEGER,
                    PRIMARY KEY (symbol_id, session)
                ) WITHOUT ROWID;

                -- Fibonacci-session bars: bucket = sessionIndex / interval (global anchoring).
                CREATE TABLE bars_fib (
                    interval      INTEGER NOT NULL,
                    symbol_id     INTEGER NOT NULL REFERENCES symbols(id),
                    bucket        INTEGER NOT NULL,
                    first_session INTEGER NOT NULL,  -- yyyymmdd of the first session present
                    last_session  INTEGER NOT NULL,  -- yyyymmdd of the last session present
                    sessions      INTEGER NOT NULL,  -- sessions present
                    complete      INTEGER NOT NULL,
                    open REAL NOT NULL, high REAL NOT NULL, low REAL NOT NULL, close REAL NOT NULL,
                    volume REAL NOT NULL,
                    PRIMARY KEY (interval, symbol_id, bucket)
                ) WITHOUT ROWID;
                -- Few rows are still forming; this lets the close of a bucket flip them in one pass.
                CREATE INDEX bars_fib_forming ON bars_fib(interval, bucket) WHERE complete = 0;

                -- Current watermark per symbol, and its full history (SCD-2 style).
                CREATE TABLE watermarks (
                    symbol_id      INTEGER PRIMARY KEY REFERENCES symbols(id),
                    first_session  INTEGER NOT NULL,
                    latest_session INTEGER NOT NULL,
                    rows           INTEGER NOT NULL,
                    ingested_at    TEXT NOT NULL,
                    run_id         INTEGER REFERENCES runs(id)
                );
                CREATE TABLE watermark_history (
                    id             INTEGER PRIMARY KEY,
                    symbol_id      INTEGER NOT NULL REFERENCES symbols(id),
                    first_session  INTEGER NOT NULL,
                    latest_session INTEGER NOT NULL,
                    rows           INTEGER NOT NULL,
                    valid_from     TEXT NOT NULL,
                    run_id         INTEGER REFERENCES runs(id)
                );
                CREATE INDEX watermark_history_symbol ON watermark_history(symbol_id, id);

                CREATE TABLE checkpoints (
                    stage           TEXT NOT NULL,
                    interval        INTEGER NOT NULL,
                    covered_through INTEGER NOT NULL,  -- yyyymmdd
                    as_of           INTEGER,           -- yyyymmdd latest closed session used
                    updated_at      TEXT NOT NULL,
                    run_id          INTEGER REFERENCES runs(id),
                    PRIMARY KEY (stage, interval)
                );

                CREATE TABLE runs (
                    id          INTEGER PRIMARY KEY,
                    trigger     TEXT NOT NULL,
                    status      TEXT NOT NULL,
                    started_at  TEXT NOT NULL,
                    finished_at TEXT,
                    error       TEXT,
                    summary     TEXT
                );
                CREATE TABLE run_stages (
                    run_id      INTEGER NOT NULL REFERENCES runs(id),
                    stage       TEXT NOT NULL,
                    status      TEXT NOT NULL,
                    attempts    INTEGER NOT NULL,
                    started_at  TEXT NOT NULL,
                    finished_at TEXT,
                    counts      TEXT NOT NULL DEFAULT '{}',  -- JSON object of named counts
                    error       TEXT,
                    PRIMARY KEY (run_id, stage)
                );
                """),
        Migration(
            name: "002_quote_cache",
            sql: """
                -- Latest quote per symbol with where and when it came from (TTL applied by the reader).
                CREATE TABLE quote_cache (
                    symbol         TEXT PRIMARY KEY,
                    price          REAL NOT NULL,
                    change         REAL,
                    change_percent REAL,
                    open           REAL,
                    high           REAL,
                    low            REAL,
                    volume         REAL,
                    session        INTEGER,          -- yyyymmdd
                    as_of          TEXT NOT NULL,
                    fetched_at     TEXT NOT NULL,
                    source         TEXT NOT NULL
                );
                """),
        Migration(
            name: "003_splits_and_alerts",
            sql: """
                -- Splits the pipeline has handled (a split re-fetches the symbol's adjusted history once).
                CREATE TABLE splits (
                    symbol     TEXT NOT NULL,
                    date       INTEGER NOT NULL,  -- yyyymmdd
                    split_from REAL NOT NULL,
                    split_to   REAL NOT NULL,
                    applied_at TEXT NOT NULL,
                    PRIMARY KEY (symbol, date)
                );

                CREATE TABLE alert_rules (
                    id         INTEGER PRIMARY KEY,
                    kind       TEXT NOT NULL,
                    symbol     TEXT,               -- NULL: the whole universe
                    value      REAL,
                    sessions   INTEGER,
                    strategy   TEXT,
                    enabled    INTEGER NOT NULL DEFAULT 1,
                    created_at TEXT NOT NULL
                );

                CREATE TABLE alerts (
                    id       INTEGER PRIMARY KEY,
                    rule_id  INTEGER NOT NULL REFERENCES alert_rules(id) ON DELETE CASCADE,
                    symbol   TEXT NOT NULL,
                    session  INTEGER NOT NULL,    -- yyyymmdd
                    message  TEXT NOT NULL,
                    fired_at TEXT NOT NULL,
                    read     INTEGER NOT NULL DEFAULT 0,
                    UNIQUE (rule_id, symbol, session)
                );
                CREATE INDEX alerts_unread ON alerts(read, id);
                """),
        Migration(
            name: "004_bronze_batches_and_flags",
            sql: """
                -- Provenance once per fetched batch instead of on every raw row (6 M rows of a
                -- backfill were spending most of their time writing the same four strings).
                CREATE TABLE bronze_batches (
                    id         INTEGER PRIMARY KEY,
                    run_id     INTEGER REFERENCES runs(id),
                    provider   TEXT NOT NULL,
                    endpoint   TEXT NOT NULL,
                    fetched_at TEXT NOT NULL
                );
                CREATE INDEX bronze_batches_fetched_at ON bronze_batches(fetched_at);
                CREATE TABLE bronze_rows (
                    batch_id INTEGER NOT NULL REFERENCES bronze_batches(id),
                    symbol   TEXT NOT NULL,
                    session  INTEGER NOT NULL,   -- yyyymmdd
                    open REAL, high REAL, low REAL, close REAL, volume REAL, vwap REAL, trades INTEGER
                );
                CREATE INDEX bronze_rows_batch ON bronze_rows(batch_id);
                INSERT INTO bronze_batches(run_id, provider, endpoint, fetched_at)
                    SELECT DISTINCT run_id, provider, endpoint, fetched_at FROM bronze_bars;
                INSERT INTO bronze_rows(batch_id, symbol, session, open, high, low, close, volume, vwap, trades)
                    SELECT b.id, x.symbol, x.session, x.open, x.high, x.low, x.close, x.volume, x.vwap, x.trades
                    FROM bronze_bars x JOIN bronze_batches b
                      ON b.provider = x.provider AND b.endpoint = x.endpoint AND b.fetched_at = x.fetched_at
                     AND b.run_id IS x.run_id;
                DROP TABLE bronze_bars;

                -- Small named states of the engine (e.g. a Fibonacci rebuild still owed after a bulk load).
                CREATE TABLE engine_flags (
                    name       TEXT PRIMARY KEY,
                    value      TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                );
                """),
        Migration(
            name: "005_scanner",
            sql: """
                -- Scanner output per scan session and strategy; a re-run replaces its own rows.
                CREATE TABLE signals (
                    scan_session INTEGER NOT NULL,  -- yyyymmdd
                    strategy     TEXT NOT NULL,
                    symbol       TEXT NOT NULL,
                    confidence   REAL NOT NULL,
                    price        REAL NOT NULL,
                    created_at   TEXT NOT NULL,
                    PRIMARY KEY (scan_session, strategy, symbol)
                );
                CREATE TABLE picks (
                    scan_session INTEGER NOT NULL,
                    strategy     TEXT NOT NULL,
                    rank         INTEGER NOT NULL,
                    symbol       TEXT NOT NULL,
                    confidence   REAL NOT NULL,
                    price        REAL NOT NULL,
                    market_cap   REAL,
                    sector       TEXT,
                    PRIMARY KEY (scan_session, strategy, rank)
                );
                """),
        Migration(
            name: "006_market_sessions",
            sql: """
                -- Grouped days fetched for the whole market: a session listed here covers every ticker
                -- (one absent from it did not trade). Market mode plans from this table, not from the
                -- oldest per-symbol watermark. `fetches` counts the correction re-fetch.
                CREATE TABLE market_sessions (
                    session          INTEGER PRIMARY KEY,  -- yyyymmdd
                    first_fetched_at TEXT NOT NULL,
                    last_fetched_at  TEXT NOT NULL,
                    fetches          INTEGER NOT NULL,
                    tickers          INTEGER NOT NULL
                );
                -- Databases filled before this table: a session with bars for 100 or more symbols came
                -- from a grouped day. Counted as corrected (their day has long passed).
                INSERT INTO market_sessions(session, first_fetched_at, last_fetched_at, fetches, tickers)
                    SELECT session, '1970-01-01T00:00:00Z', '1970-01-01T00:00:00Z', 2, count(*)
                    FROM bars_daily GROUP BY session HAVING count(*) >= 100;
                """),
        Migration(
            name: "007_fib_bars_computed_on_read",
            sql: """
                -- Fibonacci-session bars are resampled from bars_daily when they are read: one source of
                -- truth, and the daily run no longer rewrites a page per symbol and interval. The
                -- stored copy goes with its rebuild flag and the checkpoints table, which only the
                -- resampler wrote (market_sessions records what the pipeline covered). SQLite reuses
                -- the freed pages for new rows.
                DROP INDEX IF EXISTS bars_fib_forming;
                DROP TABLE IF EXISTS bars_fib;
                DROP TABLE IF EXISTS checkpoints;
                DELETE FROM engine_flags WHERE name = 'fib_rebuild_pending';
                """),
        Migration(
            name: "008_api_jobs_and_webhooks",
            sql: """
                -- `tradlyte serve`'s jobs (sweeps, walk-forwards, portfolios, refreshes): the request,
                -- its state and progress, and the finished document, so a restart loses no result.
                CREATE TABLE api_jobs (
                    id          TEXT PRIMARY KEY,
                    kind        TEXT NOT NULL,
                    request     TEXT NOT NULL,      -- the request body as JSON
                    state       TEXT NOT NULL,      -- queued, running, succeeded, failed, cancelled
                    done        INTEGER NOT NULL DEFAULT 0,
                    total       INTEGER NOT NULL DEFAULT 0,
                    created_at  TEXT NOT NULL,
                    started_at  TEXT,
                    finished_at TEXT,
                    result      TEXT,               -- the document, as the CLI's --json prints it
                    error       TEXT
                );
                CREATE INDEX api_jobs_created ON api_jobs(created_at);
                -- Each attempt to deliver an alert to a webhook, with the HTTP status or the error.
                CREATE TABLE webhook_deliveries (
                    id           INTEGER PRIMARY KEY,
                    alert_id     INTEGER,
                    url          TEXT NOT NULL,
                    attempt      INTEGER NOT NULL,
                    status       INTEGER,
                    error        TEXT,
                    delivered_at TEXT NOT NULL
                );
                """),
    ]
}
