package io.datastorage.bench;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.datastorage.core.audit.AuditDraft;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.audit.AuditValidator;
import io.datastorage.core.audit.ValidationPolicy;
import io.datastorage.core.config.ConfigChecks;
import io.datastorage.core.dualwrite.Deadline;
import io.datastorage.core.dualwrite.DualWriteCoordinator;
import io.datastorage.core.dualwrite.DualWriteListener;
import io.datastorage.core.dualwrite.GuardedIndex;
import io.datastorage.core.dualwrite.WriteOrder;
import io.datastorage.core.store.IdempotencyToken;
import io.datastorage.core.store.NewRecord;
import io.datastorage.index.lucene.LuceneVectorIndex;
import io.datastorage.store.postgres.EmbeddedPostgresServer;
import io.datastorage.store.postgres.PostgresDurability;
import io.datastorage.store.postgres.PostgresSchema;
import io.datastorage.store.postgres.PostgresStore;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
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
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The two write orders of the dual-write coordinator under a small connection pool and many
 * writers, with an index that stands for a remote one: the embedded Lucene index behind a
 * {@link DelayedIndex} that sleeps a fixed time in every call (a simulated network round trip;
 * nothing goes over a network). For each delay and order: throughput, write latency,
 * and how many of the pool's connections were busy (sampled), next to the raw baseline of
 * single-row PostgreSQL inserts through the same pool in the same run.
 *
 * <p>Closed loop on purpose: each writer starts its next write when the last one returns, so the
 * figures say how much each order lets the pool do, not how it behaves under a given arrival rate.
 * Vectors are random (no model runs): the embedding is not part of what is compared.
 */
@Command(name = "write-order", mixinStandardHelpOptions = true,
        description = "The dual-write orders (in-transaction, commit-then-index) against a small pool, with a "
                + "simulated network delay per index call, next to raw PostgreSQL inserts.")
final class WriteOrderBench implements Runnable {

    @Option(names = "--pool", description = "PostgreSQL connections in the pool (default: ${DEFAULT-VALUE}).")
    int pool = 4;

    @Option(names = "--writers", description = "Concurrent writers (default: ${DEFAULT-VALUE}).")
    int writers = 32;

    @Option(names = "--delays", split = ",",
            description = "Simulated network delays per index call, in ms (default: ${DEFAULT-VALUE}).")
    List<Integer> delays = List.of(0, 2, 10);

    @Option(names = "--duration", description = "Measured time per case (default: ${DEFAULT-VALUE}).")
    Duration duration = Duration.ofSeconds(10);

    @Option(names = "--warm-up", description = "Unmeasured time before each case (default: ${DEFAULT-VALUE}).")
    Duration warmUp = Duration.ofSeconds(2);

    @Option(names = "--dimension", description = "Vector dimension (default: ${DEFAULT-VALUE}, the in-process model's).")
    int dimension = 384;

    /** One case's figures: write latency in microseconds, busy connections and waiting threads as sampled. */
    private record Result(String name, long writes, double seconds, Histogram latency, double busyMean, int busyMax,
                          double waitingMean, long pendingAfter) {
    }

    private final Random random = new Random(20261130L);
    private final List<float[]> vectors = new ArrayList<>();
    private final AuditValidator validator = new AuditValidator(ValidationPolicy.DEFAULT, Clock.systemUTC());

    @Override
    public void run() {
        for (int i = 0; i < 1000; i++) {
            vectors.add(unitVector());
        }
        try (TempDir temp = TempDir.create("datastorage-bench-write-order")) {
            run(temp.path());
        }
    }

    private void run(Path dir) {
        try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(dir.resolve("postgres"), 0);
             HikariDataSource dataSource = RawBaselines.dataSource(postgres.jdbcUrl(), postgres.user(), pool)) {
            PostgresDurability.Report durability = PostgresDurability.check(dataSource);
            if (!durability.durable()) {
                throw new IllegalStateException("the benchmark's PostgreSQL is not durable: " + durability.violations());
            }
            PostgresSchema.migrate(dataSource);
            PostgresStore store = PostgresStore.open(dataSource, Clock.systemUTC(), 1);
            HikariPoolMXBean poolBean = dataSource.getHikariPoolMXBean();
            List<String> documents = List.of("{\"bench\":\"write-order\"}");

            List<Result> results = new ArrayList<>();
            AtomicInteger raw = new AtomicInteger();
            TimeBasedEpochGenerator ids = Generators.timeBasedEpochGenerator();
            results.add(measure("raw PostgreSQL single-row INSERT, autocommit", poolBean, store,
                    () -> RawBaselines.insert(dataSource, ids.generate(), raw.getAndIncrement(), documents, vectors)));
            warmUpBothOrders(dir, store);
            for (int delay : delays) {
                for (WriteOrder order : List.of(WriteOrder.IN_TRANSACTION, WriteOrder.COMMIT_THEN_INDEX)) {
                    try (LuceneVectorIndex lucene = LuceneVectorIndex.open(dir.resolve("index-" + delay + "-" + order.value()),
                            dimension, Duration.ofSeconds(5))) {
                        DualWriteCoordinator coordinator = new DualWriteCoordinator(store.records(),
                                GuardedIndex.of(new DelayedIndex(lucene, Duration.ofMillis(delay)), 3, Duration.ofMillis(50),
                                        Duration.ofSeconds(10)),
                                DualWriteCoordinator.Mode.FALLBACK, DualWriteListener.NONE).withWriteOrder(order, store.indexBacklog());
                        AtomicInteger written = new AtomicInteger();
                        results.add(measure(order.value() + ", index delay " + delay + " ms", poolBean, store,
                                () -> write(coordinator, written.getAndIncrement())));
                    }
                }
            }
            print(results);
        }
    }

    /**
     * Runs both orders unmeasured first, so that the first measured case does not pay for the JIT
     * compiling the write path (it once measured in-transaction at a third of its later speed).
     */
    private void warmUpBothOrders(Path dir, PostgresStore store) {
        for (WriteOrder order : List.of(WriteOrder.IN_TRANSACTION, WriteOrder.COMMIT_THEN_INDEX)) {
            try (LuceneVectorIndex lucene = LuceneVectorIndex.open(dir.resolve("index-warm-up-" + order.value()),
                    dimension, Duration.ofSeconds(5))) {
                DualWriteCoordinator coordinator = new DualWriteCoordinator(store.records(),
                        GuardedIndex.of(lucene, 3, Duration.ofMillis(50), Duration.ofSeconds(10)),
                        DualWriteCoordinator.Mode.FALLBACK, DualWriteListener.NONE).withWriteOrder(order, store.indexBacklog());
                AtomicInteger written = new AtomicInteger();
                loop(warmUp.multipliedBy(3), () -> write(coordinator, written.getAndIncrement()), null);
            }
        }
    }

    private void write(DualWriteCoordinator coordinator, int i) {
        AuditDraft draft = validator.validate(AuditKind.WORKFLOW, record(i));
        coordinator.write(List.of(new NewRecord(draft, vectors.get(i % vectors.size()))),
                new IdempotencyToken("bench-" + UUID.randomUUID(), "f"), Deadline.none());
    }

    /** Warms up, then runs {@code writers} closed loops of {@code operation} for the duration, sampling the pool. */
    private Result measure(String name, HikariPoolMXBean poolBean, PostgresStore store, Runnable operation) {
        loop(warmUp, operation, null);
        Histogram latency = new ConcurrentHistogram(3);
        AtomicBoolean sampling = new AtomicBoolean(true);
        AtomicLong samples = new AtomicLong();
        AtomicLong busySum = new AtomicLong();
        AtomicLong waitingSum = new AtomicLong();
        AtomicInteger busyMax = new AtomicInteger();
        Thread sampler = Thread.ofPlatform().daemon().start(() -> {
            while (sampling.get()) {
                int busy = poolBean.getActiveConnections();
                busySum.addAndGet(busy);
                waitingSum.addAndGet(poolBean.getThreadsAwaitingConnection());
                busyMax.accumulateAndGet(busy, Math::max);
                samples.incrementAndGet();
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        long start = System.nanoTime();
        loop(duration, operation, latency);
        double seconds = (System.nanoTime() - start) / 1e9;
        sampling.set(false);
        try {
            sampler.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long n = Math.max(1, samples.get());
        Result result = new Result(name, latency.getTotalCount(), seconds, latency, (double) busySum.get() / n,
                busyMax.get(), (double) waitingSum.get() / n, store.indexBacklog().countPendingIndex());
        System.err.printf(Locale.ROOT, "%s: %.0f writes/s%n", name, result.writes() / seconds);
        return result;
    }

    private void loop(Duration time, Runnable operation, Histogram latency) {
        long end = System.nanoTime() + time.toNanos();
        try (ExecutorService pool = Executors.newFixedThreadPool(writers)) {
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                running.add(pool.submit(() -> {
                    while (System.nanoTime() < end) {
                        long t0 = System.nanoTime();
                        operation.run();
                        if (latency != null) {
                            latency.recordValue((System.nanoTime() - t0) / 1000);
                        }
                    }
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        } catch (Exception e) {
            throw new IllegalStateException("a writer failed", e);
        }
    }

    private void print(List<Result> results) {
        System.out.printf(Locale.ROOT, "%nWrite orders: %d writers, a pool of %d PostgreSQL connections (embedded, durable: "
                        + "fsync and synchronous_commit on), single-record writes with an Idempotency-Key, %d-dimensional "
                        + "random vectors, %d cores, %s per case after a %s warm-up.%n",
                writers, pool, dimension, Runtime.getRuntime().availableProcessors(), ConfigChecks.print(duration),
                ConfigChecks.print(warmUp));
        System.out.println("The index is the embedded Lucene index behind a SIMULATED network delay (a sleep in every index "
                + "call; nothing crosses a network).");
        System.out.printf(Locale.ROOT, "%-52s %9s %8s %8s %8s %14s %13s %12s %9s%n", "case", "writes/s", "p50 ms", "p95 ms",
                "p99 ms", "busy conns", "conn ms/write", "waiting thr", "pending");
        for (Result r : results) {
            double perSecond = r.writes() / r.seconds();
            System.out.printf(Locale.ROOT, "%-52s %9.0f %8.2f %8.2f %8.2f %7.2f (max %d) %13.2f %12.1f %9d%n", r.name(),
                    perSecond, ms(r.latency(), 50), ms(r.latency(), 95), ms(r.latency(), 99), r.busyMean(),
                    r.busyMax(), r.busyMean() * 1000 / perSecond, r.waitingMean(), r.pendingAfter());
        }
        System.out.println("busy conns: pool connections in use, sampled every 2 ms (mean, max); conn ms/write: how long a "
                + "write held a connection, busy conns / writes per second (Little's law); waiting thr: writers waiting "
                + "for a connection (mean); pending: records still marked \"index pending\" after the case (cumulative).");
    }

    private static double ms(Histogram latency, double percentile) {
        return latency.getValueAtPercentile(percentile) / 1000.0;
    }

    private float[] unitVector() {
        return RandomVectors.unit(random, dimension);
    }

    private static Map<String, Object> record(int i) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", "wf-" + i);
        body.put("namespace", "ns-" + (i % 20));
        body.put("phase", "Completed");
        body.put("createdAt", Instant.now().minusSeconds(1).toString());
        body.put("correlationId", "corr-" + i);
        body.put("workflowName", "restart");
        body.put("step", "step-" + (i % 7));
        return body;
    }
}
