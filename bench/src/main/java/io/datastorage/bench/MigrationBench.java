package io.datastorage.bench;

import com.zaxxer.hikari.HikariDataSource;
import io.datastorage.core.audit.AuditDraft;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.audit.AuditValidator;
import io.datastorage.core.audit.ValidationPolicy;
import io.datastorage.core.embedding.EmbeddingText;
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
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * plain PostgreSQL table in batches, no validation, no embedding), the backfill through the service
 * itself ({@code ./datastorage serve} with the legacy store configured, {@code POST
 * /api/v1/admin/migration/backfill}: core's {@code Backfill} as the server wires it, over its durable
 * embedded PostgreSQL, its embedding pipeline with cache and batching, and its index) legacy-to-new
 * from each legacy store into an empty new schema and new-to-legacy into an empty JSON-files
 * directory, the model alone (texts/s), a raw full read of each pair of stores, and the sync validator over each real pair, consistent and with
 * {@code --differences} records altered on the legacy side, each with its ratio to the raw read.
 * The records' embedding texts (workflowName and step) take few values unless {@code
 * --distinct-texts} gives each record a message of its own: the header says how many distinct
 * texts there were, which decides how much the service's embedding cache spares the model.
 */
@Command(name = "migration", mixinStandardHelpOptions = true,
        description = "Migration backfill (through the service, both directions) and validation next to raw copy, "
                + "model and full-read baselines, over generated legacy records in JSON files and in a legacy "
                + "PostgreSQL table.")
final class MigrationBench implements Runnable {

    @Option(names = "--records", description = "Legacy records to generate (default: ${DEFAULT-VALUE}).")
    int records = 1_000_000;

    @Option(names = "--differences", description = "Records altered on the legacy side for the second validation "
            + "(default: ${DEFAULT-VALUE}).")
    int differences = 100;

    @Option(names = "--distinct-texts", description = "Give every record a message of its own, so that no two "
            + "records share an embedding text (by default they are made of workflowName and step: at most 350 "
            + "distinct texts, which the service's embedding cache answers after the first).")
    boolean distinctTexts;

    @Option(names = "--model-texts", description = "Texts the model embeds for its baseline (default: ${DEFAULT-VALUE}).")
    int modelTexts = 2000;

    private static final int BATCH = 1000;
    private static final int GENERATORS = 16;
    private static final Duration SPREAD = Duration.ofDays(30);
    /** The backfill's rate limit in the bench: the setting's maximum, far above what the engine reaches here. */
    private static final int BACKFILL_RATE = 1_000_000;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private record Row(String name, long records, double seconds, String versus, double baselineSeconds, String note) {
        Row(String name, long records, double seconds, String versus, double baselineSeconds) {
            this(name, records, seconds, versus, baselineSeconds, null);
        }

        double perSecond() {
            return records / seconds;
        }
    }

    private final AuditValidator validator = new AuditValidator(ValidationPolicy.DEFAULT, Clock.systemUTC());
    private final List<Row> rows = new ArrayList<>();
    private UUID[] ids;
    private final java.util.Set<String> texts = new java.util.HashSet<>();

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
            // The baseline embeds the records' own texts (as many distinct ones as --model-texts allows):
            // a text's length sets the model's cost, so generated texts of another length would not compare.
            List<String> ownTexts = texts.stream().sorted().limit(Math.min(modelTexts, records)).toList();
            RawBaselines.Measured model = RawBaselines.model(1, Runtime.getRuntime().availableProcessors(), 32,
                    ownTexts, null);
            Row modelRow = new Row("model alone on " + ownTexts.size() + " of the records' own texts (texts/s, "
                    + "batches of 32, one worker per core)", model.count(), model.seconds(), null, 0);
            backfills(dir, legacyServer, mapping, copyJson, copyPostgres, modelRow);
            rows.add(modelRow);

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

    /**
     * The backfill rows: the service started on a fresh data directory (an empty new schema) with
     * each legacy store in turn, a legacy-to-new backfill run through its admin API; then the service
     * of the legacy PostgreSQL run started again on the same data directory (its new store now holding
     * every record) with an empty JSON-files directory as the legacy store, and a new-to-legacy run.
     */
    private void backfills(Path dir, EmbeddedPostgresServer legacyServer, Path mapping, Row copyJson,
                           Row copyPostgres, Row model) throws IOException, SQLException {
        Path home = Path.of(System.getProperty("datastorage.home", "."));
        Path launcher = home.resolve("datastorage");
        List<String> common = List.of("--datastorage.migration.backfill-rate=" + BACKFILL_RATE,
                "--datastorage.migration.validate-interval=0s");
        List<String> json = new ArrayList<>(common);
        json.addAll(List.of("--datastorage.migration.legacy.type=json-files",
                "--datastorage.migration.legacy.path=" + dir.resolve("legacy-json")));
        try (ServiceProcess service = ServiceProcess.start(launcher, dir.resolve("service-json"),
                dir.resolve("service-json.log"), json)) {
            rows.add(backfill("backfill legacy-to-new: JSON files → empty new schema (service)", service,
                    "legacy-to-new", copyJson, model));
        }
        List<String> postgres = new ArrayList<>(common);
        postgres.addAll(List.of("--datastorage.migration.legacy.type=postgres",
                "--datastorage.migration.legacy.db-url=" + legacyServer.jdbcUrl(),
                "--datastorage.migration.legacy.db-user=" + legacyServer.user(),
                "--datastorage.migration.legacy.mapping-file=" + mapping));
        try (ServiceProcess service = ServiceProcess.start(launcher, dir.resolve("service-pg"),
                dir.resolve("service-pg.log"), postgres)) {
            rows.add(backfill("backfill legacy-to-new: legacy PostgreSQL → empty new schema (service)", service,
                    "legacy-to-new", copyPostgres, model));
        }
        List<String> empty = new ArrayList<>(common);
        empty.addAll(List.of("--datastorage.migration.legacy.type=json-files",
                "--datastorage.migration.legacy.path=" + Files.createDirectory(dir.resolve("legacy-json-empty"))));
        try (ServiceProcess service = ServiceProcess.start(launcher, dir.resolve("service-pg"),
                dir.resolve("service-pg-back.log"), empty)) {
            rows.add(backfill("backfill new-to-legacy: PostgreSQL → empty JSON files (service)", service,
                    "new-to-legacy", null, null));
        }
    }

    /**
     * One backfill through the service's API ({@code POST} blocks until the run ends), timed from the
     * request to the answer; checked complete, every record copied (and, legacy-to-new, embedded).
     */
    private Row backfill(String name, ServiceProcess service, String direction, Row rawCopy, Row model)
            throws SQLException {
        JsonNode result;
        long start = System.nanoTime();
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(service.api("/api/v1/admin/migration/backfill"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"direction\": \"" + direction + "\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 200) {
                throw new IllegalStateException(name + " answered " + answer.statusCode() + ": " + answer.body());
            }
            result = JSON.readTree(answer.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        double seconds = seconds(start);
        System.err.printf(Locale.ROOT, "%s: %s%n", name, result);
        if (!result.path("complete").asBoolean() || result.path("copied").asLong() != records) {
            throw new IllegalStateException(name + " did not copy every record: " + result);
        }
        if (rawCopy == null) {
            return new Row(name, records, seconds, null, 0);
        }
        try (HikariDataSource source = RawBaselines.dataSource(service.jdbcUrl(), "postgres", 1);
             Connection c = source.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), count(*) FILTER (WHERE embedding IS NOT NULL) FROM audit_records")) {
            rs.next();
            System.err.printf(Locale.ROOT, "%s: %d records in the new schema, %d of them embedded%n", name,
                    rs.getLong(1), rs.getLong(2));
            if (rs.getLong(1) != records || rs.getLong(2) != records) {
                throw new IllegalStateException(name + ": not every record is in the new schema with its embedding");
            }
        }
        double perSecond = records / seconds;
        return new Row(name, records, seconds, null, 0, String.format(Locale.ROOT,
                "rate %.3f× raw copy's, %.2f× model's", perSecond / rawCopy.perSecond(), perSecond / model.perSecond()));
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
    private static LegacyRecord record(int i, int total, Instant end, Random random, boolean distinctText) {
        Instant createdAt = end.minus(SPREAD).plusNanos(SPREAD.toNanos() / total * i).truncatedTo(ChronoUnit.MICROS);
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("name", "wf-" + i);
        document.put("namespace", "ns-" + random.nextInt(20));
        document.put("phase", "Completed");
        document.put("createdAt", createdAt.toString());
        document.put("correlationId", "corr-" + i);
        document.put("workflowName", "restart-" + random.nextInt(50));
        document.put("step", "step-" + random.nextInt(7));
        if (distinctText) {
            document.put("message", "Restarted the pods of wf-" + i + " in " + document.get("namespace")
                    + " after " + document.get("step") + " failed");
        }
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
            batch.add(record(i, records, end, random, distinctTexts));
            ids[i] = batch.getLast().id();
            texts.add(EmbeddingText.of(AuditKind.WORKFLOW, batch.getLast().document()));
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
                        + "PostgreSQL (durable) for the new store and for the legacy table; %,d distinct embedding "
                        + "texts among them.%n", records, SPREAD.toDays(), Runtime.getRuntime().availableProcessors(),
                texts.size());
        System.out.printf(Locale.ROOT, "%-66s %10s %9s %11s  %s%n", "case", "records", "seconds", "records/s",
                "time ÷ baseline");
        for (Row r : rows) {
            System.out.printf(Locale.ROOT, "%-66s %10d %9.2f %11.0f  %s%n", r.name(), r.records(), r.seconds(),
                    r.perSecond(), r.note() != null ? r.note() : r.versus() == null ? "" : String.format(Locale.ROOT,
                            "%.2f× %s", r.seconds() / r.baselineSeconds(), r.versus()));
        }
        System.out.printf(Locale.ROOT, "The backfill rows run in the service (./datastorage serve, a fresh data directory "
                + "each legacy-to-new), datastorage.migration.backfill-rate=%,d records/s: the rate limit is not what "
                + "bounds them. Time from the POST to its answer.%n", BACKFILL_RATE);
    }
}
