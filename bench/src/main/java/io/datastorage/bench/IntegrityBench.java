package io.datastorage.bench;

import com.zaxxer.hikari.HikariDataSource;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.audit.AuditValidator;
import io.datastorage.core.audit.ValidationPolicy;
import io.datastorage.core.config.ConfigChecks;
import io.datastorage.core.integrity.ChainHasher;
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
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the hash chain costs: single-record writes of the record store with no sealer running and
 * with one sealing every {@code --seal-interval} meanwhile (in the same run, on the same durable
 * embedded PostgreSQL), and the sealer's own throughput over a backlog, with SHA-256 and with an
 * HMAC key. The sealer here seals what was received before the moment it runs (no delay), so that
 * its work overlaps the measured writes: the service waits {@code seal-delay} first, which moves
 * the same work 30 s later without changing it. Closed loops; no index and no model.
 */
@Command(name = "integrity", mixinStandardHelpOptions = true,
        description = "Record-store writes with and without the hash-chain sealer running, and the sealer's throughput.")
final class IntegrityBench implements Runnable {

    @Option(names = "--writers", split = ",", description = "Writer counts (default: ${DEFAULT-VALUE}).")
    List<Integer> writers = List.of(1, 8, 32);

    @Option(names = "--duration", description = "Measured time per case (default: ${DEFAULT-VALUE}).")
    Duration duration = Duration.ofSeconds(5);

    @Option(names = "--warm-up", description = "Unmeasured time before each case (default: ${DEFAULT-VALUE}).")
    Duration warmUp = Duration.ofSeconds(1);

    @Option(names = "--seal-interval", description = "How often the sealer runs during the writes (default: ${DEFAULT-VALUE}).")
    Duration sealInterval = Duration.ofSeconds(1);

    @Option(names = "--backlog", description = "Records sealed at once for the sealer's throughput (default: ${DEFAULT-VALUE}).")
    int backlog = 20_000;

    private record Result(String name, int writers, long writes, double seconds) {
        double perSecond() {
            return writes / seconds;
        }
    }

    private final AuditValidator validator = new AuditValidator(ValidationPolicy.DEFAULT, Clock.systemUTC());
    private final Random random = new Random(20261130L);

    @Override
    public void run() {
        try (TempDir temp = TempDir.create("datastorage-bench-integrity")) {
            run(temp.path());
        }
    }

    private void run(Path dir) {
        int pool = writers.stream().mapToInt(Integer::intValue).max().orElse(1) + 1;
        try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(dir.resolve("postgres"), 0);
             HikariDataSource dataSource = RawBaselines.dataSource(postgres.jdbcUrl(), postgres.user(), pool)) {
            PostgresDurability.Report durability = PostgresDurability.check(dataSource);
            if (!durability.durable()) {
                throw new IllegalStateException("the benchmark's PostgreSQL is not durable: " + durability.violations());
            }
            PostgresSchema.migrate(dataSource);
            PostgresStore store = PostgresStore.open(dataSource, Clock.systemUTC(), 1);
            ChainHasher sha256 = ChainHasher.sha256();
            AtomicInteger counter = new AtomicInteger();
            List<Result> results = new ArrayList<>();
            seal(store, sha256); // nothing left unsealed from before
            for (int w : writers) {
                results.add(measure("writes, no sealer", w, null, store, sha256,
                        () -> store.records().write(List.of(record(counter.getAndIncrement())), null)));
                seal(store, sha256);
                results.add(measure("writes, sealer every " + ConfigChecks.print(sealInterval), w, sealInterval, store,
                        sha256, () -> store.records().write(List.of(record(counter.getAndIncrement())), null)));
                seal(store, sha256);
            }
            byte[] key = new byte[32];
            random.nextBytes(key);
            ChainHasher hmac = ChainHasher.fromBase64Key("hmac-key", Base64.getEncoder().encodeToString(key));
            double sealedSha = sealBacklog(store, sha256, counter);
            double sealedHmac = sealBacklog(store, hmac, counter);
            print(results, pool, sealedSha, sealedHmac);
        }
    }

    private static long seal(PostgresStore store, ChainHasher hasher) {
        return store.integrity().seal(hasher, Instant.now(), 1000, Integer.MAX_VALUE);
    }

    /** Writes {@code backlog} records in batches, then seals them all; records sealed per second. */
    private double sealBacklog(PostgresStore store, ChainHasher hasher, AtomicInteger counter) {
        for (int i = 0; i < backlog; i += 500) {
            List<NewRecord> batch = new ArrayList<>();
            for (int j = 0; j < 500 && i + j < backlog; j++) {
                batch.add(record(counter.getAndIncrement()));
            }
            store.records().write(batch, null);
        }
        long start = System.nanoTime();
        long sealed = seal(store, hasher);
        double perSecond = sealed / ((System.nanoTime() - start) / 1e9);
        System.err.printf(Locale.ROOT, "sealer (%s): %d records, %.0f records/s%n", hasher, sealed, perSecond);
        return perSecond;
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
        body.put("message", "restarted after " + (i % 13) + " failed probes on node-" + (i % 5));
        return new NewRecord(validator.validate(AuditKind.WORKFLOW, body), null)
                .withRecordedBy("system:serviceaccount:bench:writer-" + (i % 4));
    }

    private Result measure(String name, int writers, Duration sealEvery, PostgresStore store, ChainHasher hasher,
                           Runnable operation) {
        AtomicBoolean sealing = new AtomicBoolean(sealEvery != null);
        Thread sealer = Thread.ofPlatform().name("bench-sealer").start(() -> {
            while (sealing.get()) {
                seal(store, hasher);
                try {
                    Thread.sleep(sealEvery.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        try {
            loop(warmUp, writers, operation);
            long start = System.nanoTime();
            long writes = loop(duration, writers, operation);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.err.printf(Locale.ROOT, "%s, %d writer(s): %.0f writes/s%n", name, writers, writes / seconds);
            return new Result(name, writers, writes, seconds);
        } finally {
            sealing.set(false);
            sealer.interrupt();
            try {
                sealer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
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

    private void print(List<Result> results, int pool, double sealedSha, double sealedHmac) {
        System.out.printf(Locale.ROOT, "%nThe hash chain: single-record writes (no Idempotency-Key, no index) with no "
                        + "sealer and with one sealing every %s, a pool of %d connections to the embedded PostgreSQL "
                        + "(durable: fsync and synchronous_commit on), %d cores, %s per case after a %s warm-up.%n",
                ConfigChecks.print(sealInterval), pool, Runtime.getRuntime().availableProcessors(),
                ConfigChecks.print(duration), ConfigChecks.print(warmUp));
        System.out.printf(Locale.ROOT, "%-40s %8s %10s %8s%n", "case", "writers", "writes/s", "ratio");
        for (int i = 0; i < results.size(); i += 2) {
            Result off = results.get(i);
            Result on = results.get(i + 1);
            System.out.printf(Locale.ROOT, "%-40s %8d %10.0f %8s%n", off.name(), off.writers(), off.perSecond(), "1.00");
            System.out.printf(Locale.ROOT, "%-40s %8d %10.0f %8.2f%n", on.name(), on.writers(), on.perSecond(),
                    on.perSecond() / off.perSecond());
        }
        System.out.printf(Locale.ROOT, "%nThe sealer over a backlog of %d records (batches of 1000, one transaction "
                + "each): SHA-256 %.0f records/s, HMAC-SHA256 %.0f records/s.%n", backlog, sealedSha, sealedHmac);
    }
}
