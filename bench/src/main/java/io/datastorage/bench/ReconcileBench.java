package io.datastorage.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.audit.AuditValidator;
import io.datastorage.core.audit.ValidationPolicy;
import io.datastorage.core.dualwrite.InFlightWrites;
import io.datastorage.core.index.IndexEntry;
import io.datastorage.core.index.IndexMetadata;
import io.datastorage.core.reconcile.ReconcileReport;
import io.datastorage.core.reconcile.Reconciler;
import io.datastorage.core.store.IndexableRecord;
import io.datastorage.core.store.NewRecord;
import io.datastorage.core.store.RecordStore;
import io.datastorage.core.store.VectorLedger;
import io.datastorage.index.lucene.LuceneVectorIndex;
import io.datastorage.store.postgres.EmbeddedPostgresServer;
import io.datastorage.store.postgres.PostgresStore;
import io.datastorage.store.postgres.PostgresSchema;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Reconciliation at scale: N records dual-written into an embedded PostgreSQL and a Lucene index
 * (random unit vectors; reconciliation never reads vectors it does not repair), then (a) the raw
 * baseline of reading every id and vector back from PostgreSQL, what a reconciliation that loads
 * everything would at least cost; (b) reconciling the consistent pair; (c) reconciling after the
 * index lost some entries, gained orphans and holds stale ones.
 */
@Command(name = "reconcile", mixinStandardHelpOptions = true,
        description = "Reconciliation time at scale, next to a full read of PostgreSQL's vectors.")
final class ReconcileBench implements Runnable {

    @Option(names = "--records", description = "Records to write (default: ${DEFAULT-VALUE}).")
    int records = 1_000_000;

    @Option(names = "--dimension", description = "Vector dimension (default: ${DEFAULT-VALUE}, the in-process model's).")
    int dimension = 384;

    @Option(names = "--divergence", description = "Entries of each kind to break: lost, orphaned, stale (default: ${DEFAULT-VALUE}).")
    int divergence = 100;

    private final Random random = new Random(20261120L);

    @Override
    public void run() {
        try (TempDir temp = TempDir.create("datastorage-bench-reconcile")) {
            run(temp.path());
        }
    }

    private void run(Path dir) {
        try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(dir.resolve("postgres"), 0);
             HikariDataSource dataSource = dataSource(postgres);
             LuceneVectorIndex index = LuceneVectorIndex.open(dir.resolve("index"), dimension, Duration.ofSeconds(30))) {
            PostgresSchema.migrate(dataSource);
            PostgresStore store = PostgresStore.open(dataSource, Clock.systemUTC(), 1);
            List<UUID> ids = fill(store.records(), index);
            vacuum(dataSource);

            double fullRead = fullRead(dataSource);
            // No grace period: nothing writes meanwhile, and the orphans planted just before must count.
            Reconciler reconciler = new Reconciler(store.vectorLedger(), store.indexBacklog(), index, new InFlightWrites(), Reconciler.DEFAULT_BITS, 200,
                    Duration.ZERO, Clock.systemUTC());
            ReconcileReport consistent = reconciler.run(Reconciler.Progress.NONE);
            breakIndex(store.vectorLedger(), index, ids);
            ReconcileReport diverged = reconciler.run(Reconciler.Progress.NONE);
            ReconcileReport after = reconciler.run(Reconciler.Progress.NONE);

            System.out.printf(Locale.ROOT, "%nReconciliation of %,d records (%d-dimensional vectors), %d cores%n",
                    records, dimension, Runtime.getRuntime().availableProcessors());
            System.out.printf(Locale.ROOT, "%-58s %10s  %s%n", "measurement", "seconds", "found");
            System.out.printf(Locale.ROOT, "%-58s %10.2f  %s%n", "raw: read every id and vector from PostgreSQL", fullRead, "-");
            row("reconcile, consistent", consistent);
            row("reconcile, " + divergence + " lost + " + divergence + " orphans + " + divergence + " stale", diverged);
            row("reconcile again", after);
            System.out.printf(Locale.ROOT, "consistent run / raw full read: %.3f%n",
                    consistent.duration().toNanos() / 1e9 / fullRead);
        }
    }


    private static void row(String name, ReconcileReport r) {
        System.out.printf(Locale.ROOT, "%-58s %10.2f  missing %d, changed %d, orphans %d, slices compared %d of %d%n",
                name, r.duration().toNanos() / 1e9, r.missing(), r.changed(), r.orphans(), r.slicesDiffering(), r.slices());
    }

    private static HikariDataSource dataSource(EmbeddedPostgresServer postgres) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(postgres.jdbcUrl());
        config.setUsername(postgres.user());
        config.setMaximumPoolSize(4);
        return new HikariDataSource(config);
    }

    private float[] unitVector() {
        return RandomVectors.unit(random, dimension);
    }

    /** Dual-writes the records in batches of 500: PostgreSQL transaction around the index upsert. */
    private List<UUID> fill(RecordStore store, LuceneVectorIndex index) {
        AuditValidator validator = new AuditValidator(ValidationPolicy.DEFAULT, Clock.systemUTC());
        List<UUID> ids = new ArrayList<>(records);
        long started = System.nanoTime();
        long lastReport = started;
        for (int from = 0; from < records; from += 500) {
            List<NewRecord> batch = new ArrayList<>();
            for (int i = from; i < Math.min(records, from + 500); i++) {
                batch.add(new NewRecord(validator.validate(AuditKind.WORKFLOW, record(i)), unitVector()));
            }
            store.write(batch, null, inserted -> {
                index.upsert(inserted.stream().map(IndexableRecord::toEntry).toList());
                return inserted.stream().map(IndexableRecord::id).collect(Collectors.toSet());
            }).receipts().forEach(r -> ids.add(r.id()));
            if (System.nanoTime() - lastReport > 10_000_000_000L) {
                lastReport = System.nanoTime();
                System.err.printf(Locale.ROOT, "written %,d of %,d (%.0f/s)%n", ids.size(), records,
                        ids.size() / ((lastReport - started) / 1e9));
            }
        }
        index.commit();
        System.err.printf(Locale.ROOT, "written %,d records in %.0f s%n", ids.size(), (System.nanoTime() - started) / 1e9);
        return ids;
    }

    private static Map<String, Object> record(int i) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", "wf-" + i);
        body.put("namespace", "ns-" + (i % 20));
        body.put("phase", "Completed");
        body.put("createdAt", Instant.parse("2026-11-01T00:00:00Z").plusSeconds(i % 86_400).toString());
        body.put("correlationId", "corr-" + i);
        body.put("workflowName", "restart");
        body.put("step", "step-" + (i % 7));
        return body;
    }

    private static void vacuum(HikariDataSource dataSource) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("VACUUM ANALYZE audit_records");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Seconds to stream every id and vector out of PostgreSQL. */
    private static double fullRead(HikariDataSource dataSource) {
        long started = System.nanoTime();
        long rows = 0;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.setFetchSize(5_000);
                try (ResultSet rs = s.executeQuery("SELECT id, embedding FROM audit_records")) {
                    while (rs.next()) {
                        rs.getObject(1);
                        rs.getArray(2);
                        rows++;
                    }
                }
            }
            c.commit();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        if (rows == 0) {
            throw new IllegalStateException("nothing was read");
        }
        return (System.nanoTime() - started) / 1e9;
    }

    /** Loses, orphans and staleness, each {@code divergence} entries. */
    private void breakIndex(VectorLedger store, LuceneVectorIndex index, List<UUID> ids) {
        List<UUID> shuffled = new ArrayList<>(ids);
        Collections.shuffle(shuffled, random);
        index.delete(shuffled.subList(0, divergence));
        List<IndexEntry> broken = new ArrayList<>();
        for (int i = 0; i < divergence; i++) {
            broken.add(new IndexEntry(UUID.randomUUID(), unitVector(),
                    new IndexMetadata(AuditKind.WORKFLOW, "ns-0", "Completed", Instant.now(), null)));
        }
        for (IndexableRecord stale : store.indexable(Set.copyOf(shuffled.subList(divergence, 2 * divergence)))) {
            broken.add(new IndexableRecord(stale.id(), stale.kind(), stale.namespace(), stale.phase(), stale.createdAt(),
                    stale.receivedAt(), unitVector()).toEntry());
        }
        index.upsert(broken);
        index.commit();
    }
}
