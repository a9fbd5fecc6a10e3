package io.datastorage.bench;

import com.zaxxer.hikari.HikariDataSource;
import io.datastorage.core.audit.AuditDraft;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.audit.AuditValidator;
import io.datastorage.core.audit.ValidationPolicy;
import io.datastorage.core.ingest.ContentFingerprint;
import io.datastorage.core.migration.LegacyPage;
import io.datastorage.core.migration.LegacyPosition;
import io.datastorage.core.migration.LegacyRecord;
import io.datastorage.core.migration.LegacyStore;
import io.datastorage.core.migration.NewSideRecords;
import io.datastorage.core.migration.SyncReport;
import io.datastorage.core.migration.SyncValidator;
import io.datastorage.core.store.NewRecord;
import io.datastorage.legacy.json.JsonFilesLegacyStore;
import io.datastorage.legacy.postgres.LegacyPostgresConfig;
import io.datastorage.legacy.postgres.PostgresLegacyStore;
import io.datastorage.store.postgres.EmbeddedPostgresServer;
import io.datastorage.store.postgres.PostgresSchema;
import io.datastorage.store.postgres.PostgresStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The migration's figures beside raw baselines measured in the same run. {@code --records} legacy
 * records (workflow records spread over 30 days) are generated into a JSON-files directory and into
 * a table of a second PostgreSQL, and copied into the service's PostgreSQL schema (the consistent
 * new side). Then: the raw copy (each legacy store read through its reader, rows inserted into a
 * plain PostgreSQL table in batches, no validation, no embedding), the model alone (texts/s), a raw
 * full read of each pair of stores, and the sync validator over each real pair, consistent and with
 * {@code --differences} records altered on the legacy side, each with its ratio to the raw read.
 */
@Command(name = "migration", mixinStandardHelpOptions = true,
        description = "Migration validation next to raw copy, model and full-read baselines, over generated "
                + "legacy records in JSON files and in a legacy PostgreSQL table.")
final class MigrationBench implements Runnable {

    @Option(names = "--records", description = "Legacy records to generate (default: ${DEFAULT-VALUE}).")
    int records = 1_000_000;

    @Option(names = "--differences", description = "Records altered on the legacy side for the second validation "
            + "(default: ${DEFAULT-VALUE}).")
    int differences = 100;

    @Option(names = "--model-texts", description = "Texts the model embeds for its baseline (default: ${DEFAULT-VALUE}).")
    int modelTexts = 2000;

    private static final int BATCH = 1000;
    private static final int GENERATORS = 16;
    private static final Duration SPREAD = Duration.ofDays(30);

    private record Row(String name, long records, double seconds, String versus, double baselineSeconds) {
        double perSecond() {
            return records / seconds;
        }
    }

    private final AuditValidator validator = new AuditValidator(ValidationPolicy.DEFAULT, Clock.systemUTC());
    private final List<Row> rows = new ArrayList<>();
    private UUID[] ids;

    @Override
    public void run() {
        if (records < 1 || differences < 0 || differences > records) {
            throw new IllegalArgumentException("--records must be at least 1 and --differences 0.." + records);
        }
        try (TempDir temp = TempDir.create("datastorage-bench-migration")) {
            run(temp.path());
        } catch (IOException | SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void run(Path dir) throws IOException, SQLException {
        try (EmbeddedPostgresServer newServer = EmbeddedPostgresServer.start(dir.resolve("postgres"), 0);
             EmbeddedPostgresServer legacyServer = EmbeddedPostgresServer.start(dir.resolve("legacy-pg"), 0);
             HikariDataSource newSource = RawBaselines.dataSource(newServer.jdbcUrl(), newServer.user(), 4);
             HikariDataSource legacySource = RawBaselines.dataSource(legacyServer.jdbcUrl(), legacyServer.user(), 4)) {
            PostgresSchema.migrate(newSource);
            PostgresStore store = PostgresStore.open(newSource, Clock.systemUTC(), 1);
            Path mapping = createLegacyTable(legacySource, dir);
            JsonFilesLegacyStore jsonFiles = JsonFilesLegacyStore.open(dir.resolve("legacy-json"));
            PostgresLegacyStore legacyPostgres = PostgresLegacyStore.open(
                    new LegacyPostgresConfig(legacyServer.jdbcUrl(), legacyServer.user(), null, mapping));

            long start = System.nanoTime();
            generate(jsonFiles, legacySource, store);
            System.err.printf(Locale.ROOT, "generated %,d records in JSON files, a legacy PostgreSQL table and the "
                    + "service's schema in %.1f s%n", records, seconds(start));

            Row copyJson = rawCopy("raw copy: JSON files → PostgreSQL (reader + batched INSERT)", jsonFiles, newSource);
            Row copyPostgres = rawCopy("raw copy: legacy PostgreSQL → PostgreSQL (reader + batched INSERT)",
                    legacyPostgres, newSource);
            rows.add(copyJson);
            rows.add(copyPostgres);
            RawBaselines.Measured model = RawBaselines.model(1, Runtime.getRuntime().availableProcessors(), 32,
                    new AuditTexts(20261130L).next(Math.min(modelTexts, records)), null);
            rows.add(new Row("model alone (texts/s, batches of 32, one worker per core)", model.count(),
                    model.seconds(), null, 0));

            Row readJson = rawRead("raw full read: JSON files + PostgreSQL", jsonFiles, newSource);
            Row readPostgres = rawRead("raw full read: legacy PostgreSQL + PostgreSQL", legacyPostgres, newSource);
            rows.add(readJson);
            rows.add(readPostgres);

            SyncValidator overJson = new SyncValidator(jsonFiles, store.records(),
                    NewSideRecords.sink(store.records(), validator), SyncValidator.Settings.DEFAULT, Clock.systemUTC());
            SyncValidator overPostgres = new SyncValidator(legacyPostgres, store.records(),
                    NewSideRecords.sink(store.records(), validator), SyncValidator.Settings.DEFAULT, Clock.systemUTC());
            rows.add(validate("validation, consistent pair: JSON files", overJson, readJson, 0));
            rows.add(validate("validation, consistent pair: legacy PostgreSQL", overPostgres, readPostgres, 0));
            alter(jsonFiles, legacySource);
            rows.add(validate("validation, " + differences + " differences: JSON files", overJson, readJson, differences));
            rows.add(validate("validation, " + differences + " differences: legacy PostgreSQL", overPostgres,
                    readPostgres, differences));
            legacyPostgres.close();
            jsonFiles.close();
        }
        print();
    }

    private static Path createLegacyTable(HikariDataSource legacy, Path dir) throws SQLException, IOException {
        try (Connection c = legacy.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA legacy");
            s.execute("CREATE TABLE legacy.audit_events (event_id text PRIMARY KEY, created_at timestamptz NOT NULL, "
                    + "event_type varchar(32) NOT NULL, payload jsonb)");
            s.execute("CREATE INDEX ON legacy.audit_events (created_at, event_id)");
        }
        return Files.writeString(dir.resolve("mapping.properties"), """
                table=legacy.audit_events
                id-column=event_id
                timestamp-column=created_at
                kind-column=event_type
                document-column=payload
                """);
    }

    /** The i-th record: a workflow record, createdAt spread evenly over the last {@link #SPREAD}. */
    private static LegacyRecord record(int i, int total, Instant end, Random random) {
        Instant createdAt = end.minus(SPREAD).plusNanos(SPREAD.toNanos() / total * i).truncatedTo(ChronoUnit.MICROS);
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("name", "wf-" + i);
        document.put("namespace", "ns-" + random.nextInt(20));
        document.put("phase", "Completed");
        document.put("createdAt", createdAt.toString());
        document.put("correlationId", "corr-" + i);
        document.put("workflowName", "restart-" + random.nextInt(50));
        document.put("step", "step-" + random.nextInt(7));
        return new LegacyRecord(new UUID(0x0190_0000_0000_7000L | i, 0x8000_0000_0000_0000L | random.nextLong() >>> 2),
                AuditKind.WORKFLOW, createdAt, document, null);
    }

    /**
     * The records into each legacy store and into the service's schema (the consistent new side).
     * The JSON files are put by {@link #GENERATORS} threads: each put forces its file and directory
     * to disk, so one thread waits on the disk, not the CPU.
     */
    private void generate(JsonFilesLegacyStore jsonFiles, HikariDataSource legacy, PostgresStore store)
            throws SQLException {
        Random random = new Random(20261130L);
        Instant end = Instant.now().minus(Duration.ofHours(1));
        List<LegacyRecord> batch = new ArrayList<>(BATCH);
        ids = new UUID[records];
        for (int i = 0; i < records; i++) {
            batch.add(record(i, records, end, random));
            ids[i] = batch.getLast().id();
            if (batch.size() == BATCH || i == records - 1) {
                putAll(jsonFiles, batch);
                insertLegacyRows(legacy, batch);
                List<NewRecord> drafts = new ArrayList<>(batch.size());
                for (LegacyRecord r : batch) {
                    AuditDraft draft = validator.validate(r.kind(), r.document());
                    drafts.add(new NewRecord(draft, null, r.id(), r.legacyId()));
                }
                store.records().write(drafts, null);
                batch.clear();
            }
        }
    }

    private static void putAll(JsonFilesLegacyStore jsonFiles, List<LegacyRecord> batch) {
        try (ExecutorService puts = Executors.newFixedThreadPool(GENERATORS)) {
            List<Future<?>> done = new ArrayList<>(batch.size());
            for (LegacyRecord r : batch) {
                done.add(puts.submit(() -> jsonFiles.put(r)));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a put to the JSON files failed", e.getCause());
        }
    }

    private static void insertLegacyRows(HikariDataSource legacy, List<LegacyRecord> batch) throws SQLException {
        try (Connection c = legacy.getConnection(); PreparedStatement s = c.prepareStatement(
                "INSERT INTO legacy.audit_events (event_id, created_at, event_type, payload) VALUES (?, ?, ?, ?::jsonb)")) {
            for (LegacyRecord r : batch) {
                s.setString(1, r.storageKey());
                s.setTimestamp(2, Timestamp.from(r.createdAt()));
                s.setString(3, r.kind().pathName());
                s.setString(4, ContentFingerprint.canonical(r.document()));
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    /** Reads the whole legacy store through its reader and inserts every record into a plain table, in batches. */
    private Row rawCopy(String name, LegacyStore legacy, HikariDataSource target) throws SQLException {
        try (Connection c = target.getConnection(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS raw_copy");
            s.execute("CREATE TABLE raw_copy (id uuid PRIMARY KEY, kind text NOT NULL, created_at timestamptz NOT NULL, "
                    + "document jsonb NOT NULL)");
        }
        long start = System.nanoTime();
        long copied = 0;
        for (AuditKind kind : AuditKind.values()) {
            Optional<LegacyPosition> after = Optional.empty();
            do {
                LegacyPage page = legacy.scan(kind, after, BATCH);
                try (Connection c = target.getConnection(); PreparedStatement s = c.prepareStatement(
                        "INSERT INTO raw_copy (id, kind, created_at, document) VALUES (?, ?, ?, ?::jsonb)")) {
                    for (LegacyRecord r : page.records()) {
                        s.setObject(1, r.id());
                        s.setString(2, r.kind().pathName());
                        s.setTimestamp(3, Timestamp.from(r.createdAt()));
                        s.setString(4, ContentFingerprint.canonical(r.document()));
                        s.addBatch();
                    }
                    s.executeBatch();
                }
                copied += page.records().size();
                after = page.next();
            } while (after.isPresent());
        }
        check(name, copied);
        return new Row(name, copied, seconds(start), null, 0);
    }

    /** Every record of the legacy store through its reader, then every row of the new side by one streamed SELECT. */
    private Row rawRead(String name, LegacyStore legacy, HikariDataSource newSide) throws SQLException {
        long start = System.nanoTime();
        long read = 0;
        for (AuditKind kind : AuditKind.values()) {
            Optional<LegacyPosition> after = Optional.empty();
            do {
                LegacyPage page = legacy.scan(kind, after, BATCH);
                read += page.records().size();
                after = page.next();
            } while (after.isPresent());
        }
        check(name + " (legacy side)", read);
        long onNew = 0;
        try (Connection c = newSide.getConnection()) {
            c.setAutoCommit(false); // a cursor: rows are fetched in pages, not all at once
            try (Statement s = c.createStatement()) {
                s.setFetchSize(BATCH);
                try (ResultSet rs = s.executeQuery("SELECT id, kind, created_at, legacy_id, document::text FROM audit_records")) {
                    while (rs.next()) {
                        onNew += rs.getString(5).length() > 0 ? 1 : 0;
                    }
                }
            }
            c.commit();
        }
        check(name + " (new side)", onNew);
        return new Row(name, records, seconds(start), null, 0);
    }

    private Row validate(String name, SyncValidator validator, Row rawRead, long expected) {
        long start = System.nanoTime();
        SyncReport report = validator.validate(SyncValidator.Progress.NONE);
        double seconds = seconds(start);
        long found = report.missingInNew() + report.missingInLegacy() + report.differing();
        System.err.printf(Locale.ROOT, "%s: checked=%d missingInNew=%d missingInLegacy=%d differing=%d consistent=%s%n",
                name, report.checked(), report.missingInNew(), report.missingInLegacy(), report.differing(),
                report.consistent());
        if (found != expected) {
            throw new IllegalStateException(name + " found " + found + " differences, not " + expected + ": " + report);
        }
        return new Row(name, records, seconds, rawRead.name(), rawRead.seconds());
    }

    /** Alters {@link #differences} records, spread over the id space, on both legacy stores. */
    private void alter(JsonFilesLegacyStore jsonFiles, HikariDataSource legacy) throws SQLException {
        for (int d = 0; d < differences; d++) {
            int i = (int) ((long) d * records / differences);
            LegacyRecord original = jsonFiles.find(AuditKind.WORKFLOW, ids[i]).orElseThrow();
            Map<String, Object> document = new LinkedHashMap<>(original.document());
            document.put("step", "altered");
            jsonFiles.remove(AuditKind.WORKFLOW, original.id());
            jsonFiles.put(new LegacyRecord(original.id(), original.kind(), original.createdAt(), document, null));
            try (Connection c = legacy.getConnection(); PreparedStatement s = c.prepareStatement(
                    "UPDATE legacy.audit_events SET payload = jsonb_set(payload, '{step}', '\"altered\"') WHERE event_id = ?")) {
                s.setString(1, original.id().toString());
                if (s.executeUpdate() != 1) {
                    throw new IllegalStateException("record " + original.id() + " is not in the legacy table");
                }
            }
        }
    }

    private void check(String name, long count) {
        if (count != records) {
            throw new IllegalStateException(name + " read " + count + " records, not " + records);
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private void print() {
        System.out.printf(Locale.ROOT, "%nMigration: %,d legacy workflow records over %d days, %d cores, embedded "
                        + "PostgreSQL (durable) for the new store and for the legacy table.%n", records, SPREAD.toDays(),
                Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "%-66s %10s %9s %11s  %s%n", "case", "records", "seconds", "records/s",
                "time ÷ baseline");
        for (Row r : rows) {
            System.out.printf(Locale.ROOT, "%-66s %10d %9.2f %11.0f  %s%n", r.name(), r.records(), r.seconds(),
                    r.perSecond(), r.versus() == null ? "" : String.format(Locale.ROOT, "%.2f× %s", r.seconds()
                            / r.baselineSeconds(), r.versus()));
        }
    }
}
