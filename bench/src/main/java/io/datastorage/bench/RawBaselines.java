package io.datastorage.bench;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.embedding.Embedder;
import io.datastorage.core.index.IndexEntry;
import io.datastorage.core.index.IndexMetadata;
import io.datastorage.embedding.onnx.OnnxEmbedder;
import io.datastorage.index.lucene.LuceneVectorIndex;
import io.datastorage.store.postgres.EmbeddedPostgresServer;
import io.datastorage.store.postgres.PostgresDurability;
import io.datastorage.store.postgres.PostgresStore;
import io.datastorage.store.postgres.PostgresSchema;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * What the hardware does without the service, measured on the same machine and data shape in the
 * same run: PostgreSQL inserts of an equivalent row, the model alone, index upserts of precomputed
 * vectors. (The fourth baseline, exact search, needs the service's vectors: {@link ExactSearch}.)
 * These are closed loops on purpose: each measures the most a resource can do.
 */
final class RawBaselines {
    /** What a baseline measured: operations, wall time, latency per operation in microseconds. */
    record Measured(String name, String unit, long count, double seconds, Histogram latency) {
        double perSecond() {
            return count / seconds;
        }
    }

    private static final String INSERT = """
            INSERT INTO audit_records (id, kind, correlation_id, name, namespace, phase, severity, created_at,
                                       received_at, labels, document, embedding, embedding_pending, index_pending)
            VALUES (?, 'aianalysis', ?, ?, ?, ?, NULL, ?, ?, ?::jsonb, ?::jsonb, ?, false, false)""";

    private RawBaselines() {
    }

    /**
     * Single-row inserts of rows like the service's (same table, indexes and partitions, the record
     * as JSON plus its 384 floats), one autocommitted statement each, from {@code clients} threads
     * for {@code duration}, into a fresh embedded PostgreSQL with the service's settings
     * (durable: fsync, synchronous_commit and full_page_writes on, checked).
     */
    static List<Measured> postgresInserts(Path dir, List<String> documents, List<float[]> vectors, Duration duration,
                                          int... clients) {
        try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(dir, 0);
             HikariDataSource dataSource = dataSource(postgres, 16)) {
            // The baseline is only a baseline if it runs as durably as the service's server does.
            PostgresDurability.Report durability = PostgresDurability.check(dataSource);
            if (!durability.durable()) {
                throw new IllegalStateException("the raw baseline's PostgreSQL is not durable: " + durability.violations());
            }
            PostgresSchema.migrate(dataSource);
            PostgresStore.open(dataSource, Clock.systemUTC(), 1); // creates the partitions, as the service does
            TimeBasedEpochGenerator ids = Generators.timeBasedEpochGenerator();
            List<Measured> results = new ArrayList<>();
            for (int c : clients) {
                results.add(closedLoop("PostgreSQL single-row INSERT, " + c + " client" + (c == 1 ? "" : "s"), "rows",
                        c, duration, i -> insert(dataSource, ids.generate(), i, documents, vectors)));
            }
            return results;
        }
    }

    static void insert(HikariDataSource dataSource, UUID id, int i, List<String> documents, List<float[]> vectors) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(INSERT)) {
            Timestamp now = Timestamp.from(Instant.now());
            float[] vector = vectors.get(i % vectors.size());
            Float[] boxed = new Float[vector.length];
            for (int d = 0; d < vector.length; d++) {
                boxed[d] = vector[d];
            }
            ps.setObject(1, id);
            ps.setString(2, "raw-" + i);
            ps.setString(3, "analysis-raw-" + i);
            ps.setString(4, "team-" + i % 20);
            ps.setString(5, "Completed");
            ps.setTimestamp(6, now);
            ps.setTimestamp(7, now);
            ps.setString(8, "{\"bench\":\"raw\"}");
            ps.setString(9, documents.get(i % documents.size()));
            ps.setArray(10, c.createArrayOf("float4", boxed));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("raw insert failed", e);
        }
    }

    /**
     * The model alone on fresh texts, at each setting tried: {@code workers} threads each running
     * batches of {@code batch} texts on a model with {@code threads} ONNX threads per inference.
     * The service's default is one thread per inference and one batch per core.
     */
    static Measured model(int threads, int workers, int batch, List<String> texts, List<float[]> vectorsOut) {
        try (OnnxEmbedder.CloseableEmbedder model = OnnxEmbedder.builder().intraOpThreads(threads).build()) {
            warmUp(model);
            List<float[]> vectors = new ArrayList<>(Collections.nCopies(texts.size(), (float[]) null));
            int batches = (texts.size() + batch - 1) / batch;
            Measured measured = closedLoopCount("model alone, batches of " + batch + ", " + workers + " worker(s) × "
                    + threads + " thread(s)", "texts", workers, batches, texts.size(), b -> {
                int from = b * batch;
                int to = Math.min(texts.size(), from + batch);
                List<float[]> out = model.embed(texts.subList(from, to));
                for (int i = from; i < to; i++) {
                    vectors.set(i, out.get(i - from));
                }
            });
            if (vectorsOut != null) {
                vectorsOut.clear();
                vectorsOut.addAll(vectors);
            }
            return measured;
        }
    }

    private static void warmUp(Embedder model) {
        AuditTexts texts = new AuditTexts(1L);
        for (int i = 0; i < 3; i++) {
            model.embed(texts.next(16));
        }
    }

    /**
     * Upserts of precomputed vectors into a fresh Lucene index, with the service's commit interval:
     * one entry per call from {@code workers} threads (the service's single-record writes), then in
     * calls of 100 (its batch writes). The time includes the final commit.
     */
    static List<Measured> indexUpserts(Path dir, List<float[]> vectors, int entries, int workers) {
        List<Measured> results = new ArrayList<>();
        for (int perCall : new int[]{1, 100}) {
            try (LuceneVectorIndex index = LuceneVectorIndex.open(dir.resolve("per-call-" + perCall),
                    vectors.getFirst().length, Duration.ofSeconds(5))) {
                int calls = entries / perCall;
                Instant createdAt = Instant.now();
                Measured m = closedLoopCount("Lucene upsert, " + perCall + " vector(s) per call, "
                        + (perCall == 1 ? workers : 1) + " thread(s)", "vectors", perCall == 1 ? workers : 1, calls,
                        (long) calls * perCall, call -> {
                            List<IndexEntry> batch = new ArrayList<>(perCall);
                            for (int i = call * perCall; i < (call + 1) * perCall; i++) {
                                batch.add(new IndexEntry(UUID.randomUUID(), distinct(vectors, i),
                                        new IndexMetadata(AuditKind.AI_ANALYSIS, "team-" + i % 20, "Completed", createdAt, null)));
                            }
                            index.upsert(batch);
                        }, index::commit);
                results.add(m);
            }
        }
        return results;
    }

    /**
     * Vector {@code i % size}, moved a little by {@code i}: every entry of the raw baseline is a
     * distinct vector, so each is a graph insert (the index keeps one graph node per distinct vector,
     * and repeats of the model's vectors would measure that shortcut instead).
     */
    private static float[] distinct(List<float[]> vectors, int i) {
        float[] v = vectors.get(i % vectors.size()).clone();
        v[(i / vectors.size()) % v.length] += 1e-3f * (1 + i / vectors.size());
        return v;
    }

    static Measured closedLoop(String name, String unit, int workers, Duration duration, IntConsumer operation) {
        Histogram latency = new ConcurrentHistogram(3);
        AtomicInteger next = new AtomicInteger();
        long end = System.nanoTime() + duration.toNanos();
        long start = System.nanoTime();
        runWorkers(workers, () -> {
            while (System.nanoTime() < end) {
                long t0 = System.nanoTime();
                operation.accept(next.getAndIncrement());
                latency.recordValue((System.nanoTime() - t0) / 1000);
            }
        });
        return new Measured(name, unit, latency.getTotalCount(), (System.nanoTime() - start) / 1e9, latency);
    }

    private static Measured closedLoopCount(String name, String unit, int workers, int operations, long units,
                                            IntConsumer operation) {
        return closedLoopCount(name, unit, workers, operations, units, operation, () -> { });
    }

    static Measured closedLoopCount(String name, String unit, int workers, int operations, long units,
                                    IntConsumer operation, Runnable finish) {
        Histogram latency = new ConcurrentHistogram(3);
        AtomicInteger next = new AtomicInteger();
        long start = System.nanoTime();
        runWorkers(workers, () -> {
            for (int i = next.getAndIncrement(); i < operations; i = next.getAndIncrement()) {
                long t0 = System.nanoTime();
                operation.accept(i);
                latency.recordValue((System.nanoTime() - t0) / 1000);
            }
        });
        finish.run();
        return new Measured(name, unit, units, (System.nanoTime() - start) / 1e9, latency);
    }

    private static void runWorkers(int workers, Runnable work) {
        try (ExecutorService pool = Executors.newFixedThreadPool(workers)) {
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                running.add(pool.submit(work));
            }
            for (Future<?> f : running) {
                f.get();
            }
        } catch (Exception e) {
            throw new IllegalStateException("a baseline worker failed", e);
        }
    }

    static HikariDataSource dataSource(String jdbcUrl, String user, int poolSize) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setMaximumPoolSize(poolSize);
        return new HikariDataSource(config);
    }

    private static HikariDataSource dataSource(EmbeddedPostgresServer postgres, int poolSize) {
        return dataSource(postgres.jdbcUrl(), postgres.user(), poolSize);
    }
}
