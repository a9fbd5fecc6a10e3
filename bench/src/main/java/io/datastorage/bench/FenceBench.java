package io.datastorage.bench;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import com.zaxxer.hikari.HikariDataSource;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.audit.AuditValidator;
import io.datastorage.core.audit.ValidationPolicy;
import io.datastorage.core.config.ConfigChecks;
import io.datastorage.core.migration.MigrationPhase;
import io.datastorage.core.store.BeforeCommit;
import io.datastorage.core.store.MigrationTerms;
import io.datastorage.core.store.NewRecord;
import io.datastorage.store.postgres.EmbeddedPostgresServer;
import io.datastorage.store.postgres.PostgresDurability;
import io.datastorage.store.postgres.PostgresSchema;
import io.datastorage.store.postgres.PostgresStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a migration's fence costs a write: single-record writes of the record store without
 * {@link MigrationTerms}, with them (the phase fence's shared lock and version check as the
 * transaction's first statements), and with them queueing each record for the legacy side, next to raw single-row inserts,
 * at several writer counts, on the durable embedded PostgreSQL. Closed loops: each writer starts its
 * next write when the last one returns. No index and no model: vectors are random, the hook is none.
 */
@Command(name = "fence", mixinStandardHelpOptions = true,
        description = "Record-store writes with and without the migration phase fence, "
                + "next to raw PostgreSQL inserts, at several writer counts.")
final class FenceBench implements Runnable {

    @Option(names = "--writers", split = ",", description = "Writer counts (default: ${DEFAULT-VALUE}).")
    List<Integer> writers = List.of(1, 8, 32);

    @Option(names = "--duration", description = "Measured time per case (default: ${DEFAULT-VALUE}).")
    Duration duration = Duration.ofSeconds(5);

    @Option(names = "--warm-up", description = "Unmeasured time before each case (default: ${DEFAULT-VALUE}).")
    Duration warmUp = Duration.ofSeconds(1);

    @Option(names = "--dimension", description = "Vector dimension (default: ${DEFAULT-VALUE}, the in-process model's).")
    int dimension = 384;

    private record Result(String name, int writers, long writes, double seconds) {
    }

    private final Random random = new Random(20261130L);
    private final List<float[]> vectors = new ArrayList<>();
    private final AuditValidator validator = new AuditValidator(ValidationPolicy.DEFAULT, Clock.systemUTC());

    @Override
    public void run() {
        for (int i = 0; i < 1000; i++) {
            vectors.add(RandomVectors.unit(random, dimension));
        }
        try (TempDir temp = TempDir.create("datastorage-bench-fence")) {
            run(temp.path());
        }
    }

    private void run(Path dir) {
        int pool = writers.stream().mapToInt(Integer::intValue).max().orElse(1);
        try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(dir.resolve("postgres"), 0);
             HikariDataSource dataSource = RawBaselines.dataSource(postgres.jdbcUrl(), postgres.user(), pool)) {
            PostgresDurability.Report durability = PostgresDurability.check(dataSource);
            if (!durability.durable()) {
                throw new IllegalStateException("the benchmark's PostgreSQL is not durable: " + durability.violations());
            }
            PostgresSchema.migrate(dataSource);
            PostgresStore store = PostgresStore.open(dataSource, Clock.systemUTC(), 1);
            long version = store.phaseStore()
                    .initialiseIfAbsent(MigrationPhase.DUAL_WRITE_NEW_PRIMARY, "bench", "fence benchmark").version();
            List<String> documents = List.of("{\"bench\":\"fence\"}");
            TimeBasedEpochGenerator ids = Generators.timeBasedEpochGenerator();
            AtomicInteger counter = new AtomicInteger();
            List<Result> results = new ArrayList<>();
            for (int w : writers) {
                results.add(measure("raw PostgreSQL single-row INSERT, autocommit", w, () -> {
                    int i = counter.getAndIncrement();
                    RawBaselines.insert(dataSource, ids.generate(), i, documents, vectors);
                }));
                results.add(measure("RecordStore.write, no terms", w,
                        () -> store.records().write(List.of(record(counter.getAndIncrement())), null)));
                results.add(measure("RecordStore.write, terms (fence)", w,
                        () -> store.records().write(List.of(record(counter.getAndIncrement())), null,
                                BeforeCommit.NONE, new MigrationTerms(version, false))));
                results.add(measure("RecordStore.write, terms (fence + legacy queue)", w,
                        () -> store.records().write(List.of(record(counter.getAndIncrement())), null,
                                BeforeCommit.NONE, new MigrationTerms(version, true))));
            }
            print(results, pool);
        }
    }

    private NewRecord record(int i) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", "wf-" + i);
        body.put("namespace", "ns-" + (i % 20));
        body.put("phase", "Completed");
        body.put("createdAt", Instant.now().minusSeconds(1).toString());
        body.put("correlationId", "corr-" + i);
        body.put("workflowName", "restart");
        body.put("step", "step-" + (i % 7));
        return new NewRecord(validator.validate(AuditKind.WORKFLOW, body), vectors.get(i % vectors.size()));
    }

    private Result measure(String name, int writers, Runnable operation) {
        loop(warmUp, writers, operation);
        long start = System.nanoTime();
        long writes = loop(duration, writers, operation);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.err.printf(Locale.ROOT, "%s, %d writer(s): %.0f writes/s%n", name, writers, writes / seconds);
        return new Result(name, writers, writes, seconds);
    }

    private static long loop(Duration time, int writers, Runnable operation) {
        long end = System.nanoTime() + time.toNanos();
        AtomicLong done = new AtomicLong();
        try (ExecutorService pool = Executors.newFixedThreadPool(writers)) {
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                running.add(pool.submit(() -> {
                    while (System.nanoTime() < end) {
                        operation.run();
                        done.incrementAndGet();
                    }
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        } catch (Exception e) {
            throw new IllegalStateException("a writer failed", e);
        }
        return done.get();
    }

    private void print(List<Result> results, int pool) {
        System.out.printf(Locale.ROOT, "%nThe migration fence: single-record writes (no Idempotency-Key, no index), "
                        + "a pool of %d connections to the embedded PostgreSQL (durable: fsync and synchronous_commit on), "
                        + "%d-dimensional random vectors, %d cores, %s per case after a %s warm-up.%n",
                pool, dimension, Runtime.getRuntime().availableProcessors(), ConfigChecks.print(duration),
                ConfigChecks.print(warmUp));
        System.out.printf(Locale.ROOT, "%-50s %8s %10s%n", "case", "writers", "writes/s");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "%-50s %8d %10.0f%n", r.name(), r.writers(), r.writes() / r.seconds());
        }
    }
}
