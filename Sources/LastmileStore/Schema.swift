/// The store's schema, as an ordered list of migrations. A database records the
/// last one applied in `PRAGMA user_version`; each migration runs once, in its
/// own transaction, and a database newer than this code is refused.
enum Schema {
    static let migrations: [String] = [
        // 1: canaries, receipts and arrivals, each report with its raw payload.
        """
        CREATE TABLE canaries (
            id TEXT PRIMARY KEY,
            token TEXT NOT NULL UNIQUE,
            route TEXT NOT NULL,
            carrier TEXT NOT NULL,
            probe TEXT NOT NULL,
            receiver TEXT NOT NULL,
            to_number TEXT NOT NULL,
            sender TEXT NOT NULL,
            body TEXT NOT NULL,
            threshold_s REAL NOT NULL,
            deadline_s REAL NOT NULL,
            latency_clock TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('submitting', 'submitted', 'settled')),
            submit_started_at REAL NOT NULL,
            submit_ended_at REAL,
            submit_outcome TEXT,
            provider_message_id TEXT,
            provider_status TEXT,
            provider_error_code TEXT,
            submit_reason TEXT,
            receipt_status TEXT,
            receipt_raw_status TEXT,
            receipt_count INTEGER NOT NULL DEFAULT 0,
            seen_receipts TEXT NOT NULL DEFAULT '',
            arrival_ingested_at REAL,
            arrival_reported_at REAL,
            arrival_from TEXT,
            arrival_body TEXT,
            latency_s REAL,
            verdict TEXT,
            settled_at REAL,
            facts TEXT NOT NULL DEFAULT '',
            duplicate_count INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX canaries_by_message_id ON canaries (route, provider_message_id) WHERE provider_message_id IS NOT NULL;
        CREATE INDEX canaries_by_settlement ON canaries (route, carrier, settled_at);
        CREATE INDEX canaries_unsettled ON canaries (state) WHERE state != 'settled';

        CREATE TABLE receipts (
            id INTEGER PRIMARY KEY,
            canary_id TEXT REFERENCES canaries (id) ON DELETE SET NULL,
            route TEXT NOT NULL,
            provider_message_id TEXT,
            token TEXT,
            status TEXT NOT NULL,
            raw_status TEXT NOT NULL,
            error_code TEXT,
            reported_at REAL,
            ingested_at REAL NOT NULL,
            duplicate INTEGER NOT NULL DEFAULT 0,
            unmatched_reason TEXT,
            raw_payload BLOB NOT NULL
        );
        CREATE INDEX receipts_by_canary ON receipts (canary_id);
        CREATE INDEX receipts_by_message_id ON receipts (route, provider_message_id);
        CREATE INDEX receipts_by_ingest ON receipts (ingested_at);
        CREATE INDEX receipts_unmatched ON receipts (ingested_at) WHERE unmatched_reason IS NOT NULL;

        CREATE TABLE arrivals (
            id INTEGER PRIMARY KEY,
            canary_id TEXT REFERENCES canaries (id) ON DELETE SET NULL,
            receiver TEXT NOT NULL,
            sender TEXT NOT NULL,
            body TEXT NOT NULL,
            reported_at REAL,
            ingested_at REAL NOT NULL,
            duplicate INTEGER NOT NULL DEFAULT 0,
            unmatched_reason TEXT,
            raw_payload BLOB NOT NULL
        );
        CREATE INDEX arrivals_by_canary ON arrivals (canary_id);
        CREATE INDEX arrivals_by_ingest ON arrivals (ingested_at);
        CREATE INDEX arrivals_unmatched ON arrivals (ingested_at) WHERE unmatched_reason IS NOT NULL;

        CREATE VIEW unmatched_reports AS
            SELECT 'receipt' AS kind, id, route AS source, unmatched_reason AS reason, ingested_at, raw_payload
              FROM receipts WHERE unmatched_reason IS NOT NULL
            UNION ALL
            SELECT 'arrival', id, receiver, unmatched_reason, ingested_at, raw_payload
              FROM arrivals WHERE unmatched_reason IS NOT NULL;
        """,
        // 2: spool files counted once, parts of long messages, the price and network a send reported.
        """
        ALTER TABLE arrivals ADD COLUMN source_key TEXT;
        CREATE UNIQUE INDEX arrivals_by_source_key ON arrivals (source_key) WHERE source_key IS NOT NULL;
        CREATE TABLE message_parts (
            receiver TEXT NOT NULL,
            sender TEXT NOT NULL,
            reference TEXT NOT NULL,
            total INTEGER NOT NULL,
            part INTEGER NOT NULL,
            body TEXT NOT NULL,
            reported_at REAL,
            ingested_at REAL NOT NULL,
            raw_payload BLOB NOT NULL,
            PRIMARY KEY (receiver, sender, reference, part)
        );
        ALTER TABLE canaries ADD COLUMN provider_price TEXT;
        ALTER TABLE canaries ADD COLUMN provider_network TEXT;
        """,
        // 3: reports and listings by period.
        """
        CREATE INDEX canaries_by_start ON canaries (submit_started_at);
        """,
        // 4: alerts pending and firing, so a restart neither pages again nor forgets to resolve.
        """
        CREATE TABLE alerts (
            state TEXT NOT NULL CHECK (state IN ('pending', 'firing')),
            name TEXT NOT NULL,
            slo TEXT NOT NULL,
            route TEXT NOT NULL,
            carrier TEXT NOT NULL,
            severity TEXT NOT NULL,
            tier_long REAL NOT NULL,
            tier_short REAL NOT NULL,
            tier_factor REAL NOT NULL,
            bad INTEGER NOT NULL,
            total INTEGER NOT NULL,
            lower_bound REAL NOT NULL,
            allowed_rate REAL NOT NULL,
            starts_at REAL NOT NULL,
            last_notified_at REAL NOT NULL,
            PRIMARY KEY (name, slo, route, carrier, severity)
        );
        """,
        // 5: when the schedule wanted each canary sent, for traces.
        """
        ALTER TABLE canaries ADD COLUMN scheduled_at REAL;
        """,
        // 6: a request's raw body stored once, however many reports it carried.
        """
        CREATE TABLE payloads (
            id INTEGER PRIMARY KEY,
            received_at REAL NOT NULL,
            body BLOB NOT NULL,
            truncated INTEGER NOT NULL DEFAULT 0
        );
        ALTER TABLE receipts ADD COLUMN payload_id INTEGER;
        ALTER TABLE arrivals ADD COLUMN payload_id INTEGER;
        ALTER TABLE message_parts ADD COLUMN payload_id INTEGER;
        CREATE INDEX receipts_by_payload ON receipts (payload_id) WHERE payload_id IS NOT NULL;
        CREATE INDEX arrivals_by_payload ON arrivals (payload_id) WHERE payload_id IS NOT NULL;
        CREATE INDEX message_parts_by_payload ON message_parts (payload_id) WHERE payload_id IS NOT NULL;
        CREATE INDEX message_parts_by_ingest ON message_parts (ingested_at);
        DROP VIEW unmatched_reports;
        CREATE VIEW unmatched_reports AS
            SELECT 'receipt' AS kind, r.id, r.route AS source, r.unmatched_reason AS reason, r.ingested_at,
                   coalesce(p.body, r.raw_payload) AS raw_payload
              FROM receipts r LEFT JOIN payloads p ON p.id = r.payload_id WHERE r.unmatched_reason IS NOT NULL
            UNION ALL
            SELECT 'arrival', a.id, a.receiver, a.unmatched_reason, a.ingested_at, coalesce(p.body, a.raw_payload)
              FROM arrivals a LEFT JOIN payloads p ON p.id = a.payload_id WHERE a.unmatched_reason IS NOT NULL;
        """,
        // 8: the receiver an alert blames (ReceiverSilent), part of its identity.
        """
        CREATE TABLE alerts_with_receiver (
            state TEXT NOT NULL CHECK (state IN ('pending', 'firing')),
            name TEXT NOT NULL,
            slo TEXT NOT NULL,
            route TEXT NOT NULL,
            carrier TEXT NOT NULL,
            receiver TEXT NOT NULL DEFAULT '',
            severity TEXT NOT NULL,
            tier_long REAL NOT NULL,
            tier_short REAL NOT NULL,
            tier_factor REAL NOT NULL,
            bad INTEGER NOT NULL,
            total INTEGER NOT NULL,
            lower_bound REAL NOT NULL,
            allowed_rate REAL NOT NULL,
            starts_at REAL NOT NULL,
            last_notified_at REAL NOT NULL,
            PRIMARY KEY (name, slo, route, carrier, receiver, severity)
        );
        INSERT INTO alerts_with_receiver (state, name, slo, route, carrier, severity, tier_long, tier_short, tier_factor, bad, total,
                                          lower_bound, allowed_rate, starts_at, last_notified_at)
            SELECT state, name, slo, route, carrier, severity, tier_long, tier_short, tier_factor, bad, total,
                   lower_bound, allowed_rate, starts_at, last_notified_at FROM alerts;
        DROP TABLE alerts;
        ALTER TABLE alerts_with_receiver RENAME TO alerts;
        """,
        // 9: pruning finds settled canaries past the retention without reading the whole table.
        """
        CREATE INDEX canaries_settled_at ON canaries (settled_at) WHERE state = 'settled';
        """,
        // 10: notices not yet delivered, so a restart still tells every notifier what it missed.
        """
        CREATE TABLE alert_outbox (
            notifier TEXT NOT NULL,
            alert TEXT NOT NULL,
            version INTEGER NOT NULL,
            queued_at REAL NOT NULL,
            notice BLOB NOT NULL,
            PRIMARY KEY (notifier, alert)
        );
        """,
    ]

    /// The schema version this code writes.
    static var currentVersion: Int { migrations.count }
}
