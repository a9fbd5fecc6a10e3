package io.datastorage.bench;

import io.datastorage.core.embedding.BatchingEmbedder;
import io.datastorage.core.embedding.CachingEmbedder;
import io.datastorage.core.embedding.CaffeineEmbeddingCache;
import io.datastorage.core.embedding.Embedder;
import io.datastorage.core.embedding.ForwardingEmbedder;
import io.datastorage.embedding.onnx.OnnxEmbedder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The embedding path, in one run, on fresh texts: (a) the model called one text at a time, the
 * baseline; (a') the model alone at its best batch size; (b) the service's embedder (cache in front
 * of the micro-batcher in front of the model, as the server wires it and with its default thread
 * settings) under 1, 8 and 64 concurrent callers each embedding one text per call; (c) the cached
 * path. Latencies are per call,
 * recorded in HdrHistogram; throughputs are texts per second of wall time.
 */
@Command(name = "embedding", mixinStandardHelpOptions = true,
        description = "Embedding throughput and latency: one-at-a-time model vs the service's batched, cached embedder.")
final class EmbeddingBench implements Runnable {

    @Option(names = "--texts", description = "Fresh texts per measurement (default: ${DEFAULT-VALUE}).")
    int texts = 600;

    @Option(names = "--threads", description = "ONNX threads per inference in the service path, as the server's default (default: ${DEFAULT-VALUE}).")
    int threads = 1;

    @Option(names = "--parallelism", description = "Batches computed at once in the service path (default: one per core).")
    int parallelism = Runtime.getRuntime().availableProcessors();

    @Option(names = "--batch-max-size", description = "Micro-batch size limit, as the server's default (default: ${DEFAULT-VALUE}).")
    int batchMaxSize = 64;

    @Option(names = "--batch-max-wait-ms", description = "Micro-batch wait in ms, as the server's default (default: ${DEFAULT-VALUE}).")
    long batchMaxWaitMs = 0;

    @Option(names = "--compare-wait-ms", description = "Another wait, measured with 8 callers for comparison (default: ${DEFAULT-VALUE}).")
    long compareWaitMs = 2;

    @Option(names = "--cached-lookups", description = "Lookups on the cached path (default: ${DEFAULT-VALUE}).")
    int cachedLookups = 200_000;

    private final AuditTexts generator = new AuditTexts(20261120L);

    record Result(String name, long texts, double seconds, Histogram latency, double meanModelBatch) {
        double throughput() {
            return texts / seconds;
        }

        String row() {
            return String.format(Locale.ROOT, "%-44s %9d %11.1f %11.3f %11.3f %11.3f %9s", name, texts, throughput(),
                    millis(latency.getValueAtPercentile(50)), millis(latency.getValueAtPercentile(95)),
                    millis(latency.getValueAtPercentile(99)),
                    meanModelBatch > 0 ? String.format(Locale.ROOT, "%.1f", meanModelBatch) : "-");
        }
    }

    @Override
    public void run() {
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf(Locale.ROOT, "Embedding benchmark: %d cores, %d fresh texts per measurement.%n"
                + "Baseline model: %d ONNX threads per inference (its best setting for one text at a time).%n"
                + "Service path: %d thread(s) per inference (%d when alone), %d batch(es) at once, batch ≤ %d texts, wait ≤ %d ms.%n",
                cores, texts, cores, threads, Math.max(threads, cores), parallelism, batchMaxSize, batchMaxWaitMs);
        try (OnnxEmbedder.CloseableEmbedder model = OnnxEmbedder.builder().intraOpThreads(cores).build();
             OnnxEmbedder.CloseableEmbedder serviceModel = OnnxEmbedder.builder().intraOpThreads(threads)
                     .soloThreads(Math.max(threads, cores)).build();
             OnnxEmbedder.CloseableEmbedder oneThread = OnnxEmbedder.builder().intraOpThreads(threads).build()) {
            warmUp(model);
            warmUp(serviceModel);
            warmUp(oneThread);
            List<Result> results = new ArrayList<>();
            Result allCores = oneAtATime(model, "(a) model, one text per call, " + cores + " threads");
            Result serviceThreads = oneAtATime(oneThread, "(a) model, one text per call, " + threads + " thread(s)");
            results.add(allCores);
            results.add(serviceThreads);
            Result oneAtATime = allCores.throughput() >= serviceThreads.throughput() ? allCores : serviceThreads;
            Result bestBatch = null;
            for (int size : new int[]{8, 32, 64}) {
                Result r = modelBatches(model, size);
                results.add(r);
                if (bestBatch == null || r.throughput() > bestBatch.throughput()) {
                    bestBatch = r;
                }
            }
            List<Result> service = new ArrayList<>();
            for (int callers : new int[]{1, 8, 64}) {
                service.add(serviceEmbedder(serviceModel, callers, batchMaxWaitMs));
            }
            results.addAll(service);
            results.add(serviceEmbedder(serviceModel, 8, compareWaitMs));
            Result cached = cachedPath(model);
            results.add(cached);

            System.out.printf(Locale.ROOT, "%n%-44s %9s %11s %11s %11s %11s %9s%n", "measurement", "texts", "texts/s",
                    "p50 ms", "p95 ms", "p99 ms", "batch");
            results.forEach(r -> System.out.println(r.row()));

            System.out.println();
            System.out.printf(Locale.ROOT, "ratios against the stronger baseline, %s%n", oneAtATime.name());
            System.out.printf(Locale.ROOT, "raw model, best batch (%s) ÷ one at a time: %.2fx%n", bestBatch.name(),
                    bestBatch.throughput() / oneAtATime.throughput());
            for (Result r : service) {
                System.out.printf(Locale.ROOT, "%s ÷ one at a time: %.2fx   ÷ raw best batch: %.2f%n", r.name(),
                        r.throughput() / oneAtATime.throughput(), r.throughput() / bestBatch.throughput());
            }
            double bestService = service.stream().mapToDouble(Result::throughput).max().orElseThrow();
            double cachedP95 = millis(cached.latency().getValueAtPercentile(95));
            System.out.printf(Locale.ROOT, "target: batched ≥ 1.5x one at a time → %.2fx (%s)%n",
                    bestService / oneAtATime.throughput(), bestService / oneAtATime.throughput() >= 1.5 ? "met" : "NOT met");
            System.out.printf(Locale.ROOT, "target: cached p95 < 0.1 ms → %.4f ms (%s)%n", cachedP95,
                    cachedP95 < 0.1 ? "met" : "NOT met");
        }
    }

    private void warmUp(Embedder model) {
        for (int i = 0; i < 30; i++) {
            model.embed(generator.next(1));
        }
        model.embed(generator.next(32));
    }

    private Result oneAtATime(Embedder model, String name) {
        List<String> fresh = generator.next(texts);
        Histogram latency = histogram();
        long start = System.nanoTime();
        for (String text : fresh) {
            long t0 = System.nanoTime();
            model.embed(List.of(text));
            latency.recordValue(System.nanoTime() - t0);
        }
        return new Result(name, fresh.size(), seconds(start), latency, 1);
    }

    private Result modelBatches(Embedder model, int size) {
        List<String> fresh = generator.next(texts);
        Histogram latency = histogram();
        long start = System.nanoTime();
        for (int i = 0; i < fresh.size(); i += size) {
            long t0 = System.nanoTime();
            model.embed(fresh.subList(i, Math.min(fresh.size(), i + size)));
            latency.recordValue(System.nanoTime() - t0);
        }
        return new Result("(a') model alone, batches of " + size + " (per batch)", fresh.size(), seconds(start), latency,
                size);
    }

    private Result serviceEmbedder(Embedder model, int callers, long waitMs) {
        List<String> fresh = generator.next(texts);
        AtomicInteger modelCalls = new AtomicInteger();
        Embedder counted = new ForwardingEmbedder(model) {
            @Override
            public List<float[]> embed(List<String> batch) {
                modelCalls.incrementAndGet();
                return model.embed(batch);
            }
        };
        try (BatchingEmbedder batcher = new BatchingEmbedder(counted, batchMaxSize, Duration.ofMillis(waitMs), parallelism)) {
            CachingEmbedder embedder = new CachingEmbedder(batcher,
                    new CaffeineEmbeddingCache(Duration.ofMinutes(5), 64L << 20));
            Histogram latency = new ConcurrentHistogram(3);
            AtomicInteger next = new AtomicInteger();
            long start = System.nanoTime();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<?>> workers = new ArrayList<>();
                for (int c = 0; c < callers; c++) {
                    workers.add(pool.submit(() -> {
                        for (int i = next.getAndIncrement(); i < fresh.size(); i = next.getAndIncrement()) {
                            long t0 = System.nanoTime();
                            embedder.embed(List.of(fresh.get(i)));
                            latency.recordValue(System.nanoTime() - t0);
                        }
                    }));
                }
                for (Future<?> worker : workers) {
                    worker.get();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            if (embedder.hits() != 0) {
                throw new IllegalStateException("fresh texts hit the cache; the measurement would not be honest");
            }
            return new Result("(b) service embedder, " + callers + " caller(s), wait " + waitMs + " ms", fresh.size(),
                    seconds(start), latency,
                    (double) fresh.size() / modelCalls.get());
        }
    }

    private Result cachedPath(Embedder model) {
        List<String> known = generator.next(1_000);
        CachingEmbedder embedder = new CachingEmbedder(model, new CaffeineEmbeddingCache(Duration.ofMinutes(5), 64L << 20));
        for (int i = 0; i < known.size(); i += 50) {
            embedder.embed(known.subList(i, i + 50));
        }
        Histogram latency = histogram();
        for (int i = 0; i < 20_000; i++) { // let the JIT compile the lookup path
            embedder.embed(List.of(known.get(i % known.size())));
        }
        latency.reset();
        long start = System.nanoTime();
        for (int i = 0; i < cachedLookups; i++) {
            long t0 = System.nanoTime();
            embedder.embed(List.of(known.get(i % known.size())));
            latency.recordValue(System.nanoTime() - t0);
        }
        return new Result("(c) cached path (in-process), 1 caller", cachedLookups, seconds(start), latency, 0);
    }

    private static Histogram histogram() {
        return new Histogram(3);
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static double millis(long nanos) {
        return nanos / 1e6;
    }
}
