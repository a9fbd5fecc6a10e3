package io.datastorage.bench;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.embedding.Embedder;
import io.datastorage.core.index.IndexEntry;
import io.datastorage.core.index.IndexFilter;
import io.datastorage.core.index.IndexHit;
import io.datastorage.core.index.IndexMetadata;
import io.datastorage.embedding.onnx.OnnxEmbedder;
import io.datastorage.index.solr.SolrIndexConfig;
import io.datastorage.index.solr.SolrVectorIndex;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleFunction;
import java.util.function.IntFunction;

/**
 * The cluster shape against the single-machine shape, side by side in one run on one machine.
 * Everything shares one external PostgreSQL (durable), one Redis (the shared embedding cache) and
 * one 2-node SolrCloud ({@link LocalCluster}), so only the index and the number of replicas
 * differ between the configurations: one replica with the embedded Lucene index, one replica with
 * Solr, two replicas with Solr (requests alternate between them). Each configuration gets a
 * database and (for Solr) a collection of 2 shards × 2 replicas of its own, is filled with
 * {@code --records} records whose texts repeat as an audit trail's do, then takes open-loop sweeps
 * ({@link OpenLoop}) of cached-text writes, semantic searches (query text embedded per request) and
 * searches by vector (the search without the embedding).
 *
 * <p>Raw baselines in the same run: Solr upserts through SolrJ in requests of 1 and of 100 entries
 * and Solr kNN queries ({@link SolrRaw}). Recall@10 of the Solr index's search against the exact
 * top 10 over {@code --recall-records} records (ties counted as right, {@link ExactByText}, as the
 * search benchmark judges Lucene), unfiltered and filtered on a namespace of about 3 % of the records.
 * Writes {@code summary.json}, {@code table.txt} and {@code latency-vs-load.png}.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = {"The cluster shape side by side with the single machine: cached-text writes and semantic search through "
                + "one replica with Lucene, one with Solr and two with Solr (shared PostgreSQL, Redis and a 2-node SolrCloud), "
                + "raw Solr upserts (batches of 1 and 100) and kNN queries, recall@10 of the Solr search against the exact top 10.",
                "With the defaults it takes about 30 minutes on 2 cores; --records 5000 --step 5s took 12 (recall over "
                        + "100,000 records included, its 13,000 texts embedded in about 4); --records 2000 --recall-records 5000 "
                        + "--step 3s about 6."})
final class ClusterBench implements Runnable {
    private static final int K = 10;
    private static final String[] PHASES = {"Completed", "Completed", "Failed", "Processing"};
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String RARE = "rare";
    private static final Instant EPOCH = Instant.parse("2026-11-01T00:00:00Z");

    @Option(names = "--records", description = "Records each configuration is filled with before its searches; "
            + "texts repeat Zipf-like as in the service benchmark (default: ${DEFAULT-VALUE}).")
    int records = 20_000;

    @Option(names = "--recall-records", description = "Records in the Solr index for recall@10 (default: ${DEFAULT-VALUE}).")
    int recallRecords = 100_000;

    @Option(names = "--queries", description = "Recall queries, fresh texts, each unfiltered and filtered (default: ${DEFAULT-VALUE}).")
    int queries = 200;

    @Option(names = "--step", paramLabel = "<duration>", converter = Durations.class,
            description = "Length of each open-loop step and raw baseline (default: 10s).")
    Duration step = Duration.ofSeconds(10);

    @Option(names = "--out", description = "Directory for the results (default: bench/results/cluster-<time>).")
    Path out;

    /** One way of running the service: the index type and the number of replicas. */
    private record Configuration(String name, String id, String indexType, int replicas) {
    }

    private static final List<Configuration> CONFIGURATIONS = List.of(
            new Configuration("lucene ×1", "lucene1", "lucene", 1),
            new Configuration("solr ×1", "solr1", "solr", 1),
            new Configuration("solr ×2", "solr2", "solr", 2));

    private static final double[] WRITE_RATES = {50, 100, 250, 500, 1000, 1500, 2000};
    private static final double[] SEARCH_RATES = {5, 10, 20};
    private static final double[] VECTOR_SEARCH_RATES = {10, 25, 50, 100};

    private final AuditTexts queryTexts = new AuditTexts(99L);
    private final int cores = Runtime.getRuntime().availableProcessors();
    private final List<String> notes = new ArrayList<>();
    private long serial;

    @Override
    public void run() {
        Path home = Path.of(System.getProperty("datastorage.home", "."));
        Path dir = out != null ? out : home.resolve("bench/results/cluster-"
                + LocalDateTime.now().truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Path launcher = home.resolve("datastorage");
        String started = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (System.getProperty("datastorage.solr.testcluster.heap") == null) {
            System.setProperty("datastorage.solr.testcluster.heap", "1g");
        }
        List<Summary.Baseline> baselines = new ArrayList<>();
        List<Summary.Scenario> scenarios = new ArrayList<>();
        Map<String, Double> fillRates = new LinkedHashMap<>();
        String loadAtStart = loadAverage();
        progress("starting PostgreSQL, Redis and a 2-node SolrCloud");
        try (TempDir temp = TempDir.create("datastorage-bench-cluster");
             LocalCluster cluster = LocalCluster.start(temp.path());
             OpenLoop load = new OpenLoop(1024);
             OnnxEmbedder.CloseableEmbedder model = OnnxEmbedder.builder().intraOpThreads(cores).build()) {

            // Raw baselines, nothing else running.
            List<float[]> vectors = embed(model, new AuditTexts(20261121L).next(512));
            List<float[]> queryVectors = embed(model, queryTexts.next(200));
            try (SolrRaw raw = SolrRaw.create(cluster.solrUrls(), "bench_raw", model.dimension())) {
                progress("baseline: Solr upserts through SolrJ, requests of 1 and of 100 entries");
                raw.upserts(vectors, step, 8, 2).forEach(m -> baselines.add(Summary.Baseline.of(m)));
                progress("baseline: Solr kNN queries");
                baselines.add(Summary.Baseline.of(raw.knn(queryVectors, step)));
            }
            cluster.deleteCollection("bench_raw");

            RepeatedTexts shape = ServiceBench.readSetShape(records);
            List<Map<String, Object>> readSet = ServiceBench.readSet(shape);
            for (Configuration configuration : CONFIGURATIONS) {
                String jdbcUrl = cluster.createDatabase("bench_" + configuration.id());
                Map<String, String> env = cluster.replicaEnvironment(configuration.indexType(), "bench_" + configuration.id(), jdbcUrl);
                List<ServiceProcess> replicas = new ArrayList<>();
                try {
                    for (int r = 0; r < configuration.replicas(); r++) {
                        progress("%s: starting replica %d", configuration.name(), r + 1);
                        replicas.add(ServiceProcess.startReplica(launcher, temp.path().resolve(configuration.id() + "-" + r),
                                dir.resolve("service-" + configuration.id() + "-" + (r + 1) + ".log"),
                                ServiceProcess.freePort(), ServiceProcess.freePort(), env));
                    }
                    fillRates.put(configuration.name(), fill(load, replicas, readSet, configuration));
                    run(configuration, replicas, cluster, load, model, readSet, scenarios);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } finally {
                    replicas.reversed().forEach(ServiceProcess::close);
                }
                if (configuration.indexType().equals("solr")) {
                    cluster.deleteCollection("bench_" + configuration.id());
                }
            }

            Recall recall = recall(cluster, model, baselines);
            Summary summary = new Summary("cluster", command(), started,
                    new Summary.Machine(cores, Runtime.version().toString(), System.getProperty("os.name") + " "
                            + System.getProperty("os.arch"), Runtime.getRuntime().maxMemory() >> 20),
                    baselines, scenarios, new LinkedHashMap<>(), new ArrayList<>(), notes);
            judge(summary, fillRates, recall, shape);
            notes.add("Load average (1, 5, 15 min) at the start: " + loadAtStart + "; at the end: " + loadAverage()
                    + ". Anything else running on the machine competes for the same cores.");
            summary.writeJson(dir.resolve("summary.json"));
            String table = summary.table();
            Summary.write(dir.resolve("table.txt"), table);
            LatencyChart.write(scenarios, "datastorage cluster shape, latency vs offered load (" + cores + " cores, "
                    + started + ")", dir.resolve("latency-vs-load.png"));
            System.out.println(table);
            System.out.println("Results: " + dir.resolve("summary.json") + ", table.txt, latency-vs-load.png");
        }
    }

    private String command() {
        return "./bench/run.sh cluster --records " + records + " --recall-records " + recallRecords + " --queries " + queries
                + " --step " + step.toSeconds() + "s";
    }

    /** The sweeps of one configuration; requests alternate between its replicas. */
    private void run(Configuration configuration, List<ServiceProcess> replicas, LocalCluster cluster, OpenLoop load,
                     Embedder model, List<Map<String, Object>> readSet, List<Summary.Scenario> scenarios) {
        String name = configuration.name();
        Duration warmUp = Duration.ofSeconds(Math.max(3, step.toSeconds() / 2));
        // Texts of the read set, written moments ago: their embeddings are in the shared cache.
        List<Map<String, Object>> pool = readSet.subList(Math.max(0, readSet.size() - 1000), readSet.size());
        warmUp(load, name + " cached writes", 50, warmUp, i -> post(replica(replicas, i), "/api/v1/audit/aianalysis",
                body(pool.get(i % pool.size()))));
        List<String> warmQueries = queryStrings(Math.round(5 * warmUp.toSeconds()) + 1);
        warmUp(load, name + " searches", 5, warmUp, i -> search(replica(replicas, i), Map.of("query", warmQueries.get(i), "topK", K)));

        scenarios.add(scenario(replicas, cluster, load, name + " cached writes",
                "POST /api/v1/audit/aianalysis, texts of the 1,000 records filled last: embeddings come from Redis", WRITE_RATES,
                rate -> i -> post(replica(replicas, i), "/api/v1/audit/aianalysis", body(pool.get(i % pool.size())))));
        scenarios.add(scenario(replicas, cluster, load, name + " semantic search",
                "POST /api/v1/audit/search, a new query text each (embedded per request), top 10", SEARCH_RATES, rate -> {
                    List<String> stepQueries = queryStrings(Math.round(rate * step.toSeconds()) + 1);
                    return i -> search(replica(replicas, i), Map.of("query", stepQueries.get(i), "topK", K));
                }));
        scenarios.add(scenario(replicas, cluster, load, name + " vector search",
                "POST /api/v1/audit/search with the query's vector (embedded beforehand): the search without the embedding",
                VECTOR_SEARCH_RATES, rate -> {
                    List<float[]> stepVectors = embed(model, queryStrings(Math.round(rate * step.toSeconds()) + 1));
                    return i -> search(replica(replicas, i), Map.of("vector", stepVectors.get(i), "topK", K));
                }));
    }

    private static ServiceProcess replica(List<ServiceProcess> replicas, int i) {
        return replicas.get(i % replicas.size());
    }

    /** A sweep at the given rates; it ends after the first step the replicas could not keep up with. */
    private Summary.Scenario scenario(List<ServiceProcess> replicas, LocalCluster cluster, OpenLoop load, String name,
                                      String description, double[] rates,
                                      DoubleFunction<IntFunction<OpenLoop.Call>> perRate) {
        List<Summary.Step> steps = new ArrayList<>();
        for (double rate : rates) {
            Summary.Step s = step(replicas, cluster, load, name, rate, perRate.apply(rate));
            steps.add(s);
            if (!s.keptUp()) {
                break;
            }
        }
        return new Summary.Scenario(name, description, 1, steps);
    }

    private Summary.Step step(List<ServiceProcess> replicas, LocalCluster cluster, OpenLoop load, String name, double rate,
                              IntFunction<OpenLoop.Call> calls) {
        progress("%s at %.0f/s for %d s", name, rate, step.toSeconds());
        double hits = metric(replicas, "datastorage_cache_hits_total");
        double misses = metric(replicas, "datastorage_cache_misses_total");
        double generator = ServiceProcess.cpuSeconds(ProcessHandle.current());
        double service = replicas.stream().mapToDouble(r -> r.cpu().service()).sum();
        double postgres = cluster.postgresCpu();
        double solr = cluster.solrCpu();
        OpenLoop.Step s = load.run(rate, step, calls);
        Summary.Cpu cpu = new Summary.Cpu(Summary.round(ServiceProcess.cpuSeconds(ProcessHandle.current()) - generator),
                Summary.round(replicas.stream().mapToDouble(r -> r.cpu().service()).sum() - service),
                Summary.round(cluster.postgresCpu() - postgres), Summary.round(cluster.solrCpu() - solr));
        double hitDelta = metric(replicas, "datastorage_cache_hits_total") - hits;
        double missDelta = metric(replicas, "datastorage_cache_misses_total") - misses;
        Summary.Step result = Summary.Step.of(s, cpu, hitDelta + missDelta == 0 ? null : hitDelta / (hitDelta + missDelta));
        progress("  answered %.1f/s, p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, failed %d%s", result.throughput(), result.p50Ms(),
                result.p95Ms(), result.p99Ms(), result.failed(), result.firstFailure() == null ? "" : " (" + result.firstFailure() + ")");
        ServiceProcess.sleep(1000);
        return result;
    }

    private static double metric(List<ServiceProcess> replicas, String name) {
        return replicas.stream().mapToDouble(r -> r.metric(name)).sum();
    }

    /**
     * Load before the measurements, so they find the replicas' code compiled and their pools
     * filled. A failed warm-up request is noted, not fatal: on 2 cores a replica just started can
     * fall behind where it keeps up once warm, and the sweep's steps count their own failures.
     */
    private void warmUp(OpenLoop load, String what, double rate, Duration duration, IntFunction<OpenLoop.Call> calls) {
        progress("warming up: %s at %.0f/s for %d s", what, rate, duration.toSeconds());
        OpenLoop.Step s = load.run(rate, duration, calls);
        if (s.failed() > 0) {
            progress("  %d warm-up requests failed, first: %s", s.failed(), s.firstFailure());
            notes.add(String.format(Locale.ROOT, "Warm-up of %s at %.0f/s: %d of %d requests failed, first: %s", what, rate,
                    s.failed(), s.requests(), s.firstFailure()));
        }
    }

    /** Writes the read set in batches of 500 from two clients, alternating replicas; answers records/s. */
    private double fill(OpenLoop load, List<ServiceProcess> replicas, List<Map<String, Object>> readSet,
                        Configuration configuration) {
        int size = 500;
        long total = (readSet.size() + size - 1) / size;
        AtomicLong next = new AtomicLong();
        AtomicLong done = new AtomicLong();
        long started = System.nanoTime();
        try (ExecutorService clients = Executors.newFixedThreadPool(2)) {
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < 2; c++) {
                running.add(clients.submit(() -> {
                    for (long b = next.getAndIncrement(); b < total; b = next.getAndIncrement()) {
                        int from = (int) (b * size);
                        int count = Math.min(size, readSet.size() - from);
                        // Minutes, not the scenarios' 60 s: on a saturated machine a batch of 500 fresh texts
                        // waits for the model (the cache can time out too), and a fill is not measured by latency.
                        HttpResponse<String> response = load.send(json(replicas.get((int) (b % replicas.size())),
                                "/api/v1/audit/aianalysis/batch", batch(readSet, from, count))
                                .timeout(Duration.ofMinutes(5)).build());
                        if (response.statusCode() != 201) {
                            throw new IllegalStateException("fill batch answered " + response.statusCode() + ": " + response.body());
                        }
                        done.addAndGet(count);
                    }
                    return null;
                }));
            }
            long lastReport = System.nanoTime();
            for (Future<?> f : running) {
                while (!f.isDone()) {
                    ServiceProcess.sleep(200);
                    if (System.nanoTime() - lastReport > 10e9) {
                        lastReport = System.nanoTime();
                        progress("%s: filled %,d / %,d records", configuration.name(), done.get(), readSet.size());
                    }
                }
                f.get();
            }
        } catch (Exception e) {
            throw new IllegalStateException("filling " + configuration.name() + " failed", e);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        progress("%s: filled %,d records in %.0f s (%,.0f records/s)", configuration.name(), done.get(), seconds,
                done.get() / seconds);
        return done.get() / seconds;
    }

    /** What the Solr index's search found against the exact answer. */
    private record Recall(int records, int distinctTexts, double unfiltered, double filtered, int queries) {
    }

    /**
     * Fills a collection of its own through {@link SolrVectorIndex} with {@code --recall-records}
     * records shaped as the search benchmark's (texts repeating Zipf-like, each distinct text
     * embedded once, about 3 % of the records in the filtered namespace), then judges fresh queries
     * against {@link ExactByText}. The index's search latency, one query at a time, is a baseline.
     */
    private Recall recall(LocalCluster cluster, Embedder model, List<Summary.Baseline> baselines) {
        SplittableRandom random = new SplittableRandom(20261130L);
        RepeatedTexts set = RepeatedTexts.of(recallRecords, Math.max(1, recallRecords * 3 / 100), 1.0, 0.10, 20261120L);
        progress("recall: embedding %,d distinct texts for %,d records", set.distinctTexts(), recallRecords);
        List<float[]> textVectors = embed(model, new AuditTexts(7L).next(set.distinctTexts()));
        UUID[] ids = new UUID[recallRecords];
        String[] namespaces = new String[recallRecords];
        SolrIndexConfig config = new SolrIndexConfig(cluster.solrUrls().stream().map(URI::create).toList(), "bench_recall",
                2, 2, model.dimension(), Duration.ofSeconds(60));
        try (SolrVectorIndex index = SolrVectorIndex.open(config)) {
            long started = System.nanoTime();
            List<IndexEntry> batch = new ArrayList<>();
            for (int i = 0; i < recallRecords; i++) {
                ids[i] = UUID.randomUUID();
                namespaces[i] = random.nextInt(33) == 0 ? RARE : "prod";
                batch.add(new IndexEntry(ids[i], textVectors.get(set.textOf(i)), new IndexMetadata(AuditKind.AI_ANALYSIS,
                        namespaces[i], "Completed", EPOCH.plusSeconds(i), Integer.toHexString(i))));
                if (batch.size() == 1000 || i == recallRecords - 1) {
                    index.upsert(batch);
                    batch.clear();
                }
                if (i % 20_000 == 19_999) {
                    progress("recall: indexed %,d / %,d records", i + 1, recallRecords);
                }
            }
            index.refresh();
            double seconds = (System.nanoTime() - started) / 1e9;
            progress("recall: indexed %,d records in %.0f s", recallRecords, seconds);
            notes.add(String.format(Locale.ROOT, "Recall set: %,d records (%s) upserted into the Solr index in calls of 1,000 "
                    + "in %.0f s (%,.0f records/s).", recallRecords, set.describe(), seconds, recallRecords / seconds));

            ExactByText exact = new ExactByText(set, textVectors, ids, namespaces, K);
            List<float[]> queryVectors = embed(model, new AuditTexts(99L).next(queries));
            Histogram unfilteredLatency = new Histogram(3);
            Histogram filteredLatency = new Histogram(3);
            double unfiltered = 0;
            double filtered = 0;
            IndexFilter rare = new IndexFilter(Set.of(), RARE, null, null, null);
            for (float[] query : queryVectors) {
                long t0 = System.nanoTime();
                List<IndexHit> hits = index.search(query, K, IndexFilter.NONE);
                long t1 = System.nanoTime();
                List<IndexHit> rareHits = index.search(query, K, rare);
                long t2 = System.nanoTime();
                unfilteredLatency.recordValue((t1 - t0) / 1000);
                filteredLatency.recordValue((t2 - t1) / 1000);
                double[] scores = exact.scores(query);
                unfiltered += exact.recall(scores, hits, null);
                filtered += exact.recall(scores, rareHits, RARE);
            }
            baselines.add(Summary.Baseline.of(new RawBaselines.Measured(String.format(Locale.ROOT,
                    "Solr index search, top 10 of %,d records, 1 client", recallRecords), "queries",
                    unfilteredLatency.getTotalCount(), unfilteredLatency.getTotalCount() * unfilteredLatency.getMean() / 1e6,
                    unfilteredLatency)));
            baselines.add(Summary.Baseline.of(new RawBaselines.Measured(String.format(Locale.ROOT,
                    "Solr index search, filtered to %,d records, 1 client", exact.records(RARE)), "queries",
                    filteredLatency.getTotalCount(), filteredLatency.getTotalCount() * filteredLatency.getMean() / 1e6,
                    filteredLatency)));
            return new Recall(recallRecords, set.distinctTexts(), unfiltered / queryVectors.size(),
                    filtered / queryVectors.size(), queryVectors.size());
        }
    }

    private void judge(Summary summary, Map<String, Double> fillRates, Recall recall, RepeatedTexts shape) {
        Map<String, Double> ratios = summary.ratios();
        List<Summary.Target> targets = summary.targets();
        Optional<Summary.Baseline> rawUpsert1 = baseline(summary, "Solr upsert (SolrJ), 1 entry");
        Optional<Summary.Baseline> rawUpsert100 = baseline(summary, "Solr upsert (SolrJ), 100 entries");
        Optional<Summary.Baseline> rawKnn = baseline(summary, "Solr kNN");
        Optional<Summary.Scenario> luceneWrites = scenario(summary, "lucene ×1 cached writes");
        Optional<Summary.Scenario> solrWrites = scenario(summary, "solr ×1 cached writes");
        Optional<Summary.Scenario> solr2Writes = scenario(summary, "solr ×2 cached writes");
        solrWrites.ifPresent(s -> rawUpsert1.ifPresent(raw -> ratios.put(
                "solr ×1 cached-text writes/s ÷ raw Solr upserts/s (1 per request)", Summary.round(s.bestThroughput() / raw.perSecond()))));
        solr2Writes.ifPresent(s -> rawUpsert1.ifPresent(raw -> ratios.put(
                "solr ×2 cached-text writes/s ÷ raw Solr upserts/s (1 per request)", Summary.round(s.bestThroughput() / raw.perSecond()))));
        solrWrites.ifPresent(s -> luceneWrites.ifPresent(l -> ratios.put(
                "solr ×1 ÷ lucene ×1 cached-text writes/s", Summary.round(s.bestThroughput() / l.bestThroughput()))));
        solr2Writes.ifPresent(s2 -> solrWrites.ifPresent(s1 -> ratios.put(
                "solr ×2 ÷ solr ×1 cached-text writes/s", Summary.round(s2.bestThroughput() / s1.bestThroughput()))));
        Double solrFill = fillRates.get("solr ×1");
        if (solrFill != null) {
            rawUpsert100.ifPresent(raw -> ratios.put("solr ×1 fill records/s (batches of 500) ÷ raw Solr upserts/s (100 per request)",
                    Summary.round(solrFill / raw.perSecond())));
        }
        for (String name : List.of("lucene ×1", "solr ×1", "solr ×2")) {
            scenario(summary, name + " vector search").map(s -> s.steps().getFirst()).ifPresent(first ->
                    rawKnn.ifPresent(raw -> ratios.put(name + " search-by-vector p50 at " + (int) first.offeredPerSecond()
                            + "/s ÷ raw Solr kNN p50", Summary.round(first.p50Ms() / raw.p50Ms()))));
        }
        scenario(summary, "solr ×1 semantic search").map(s -> s.steps().getFirst()).ifPresent(solr ->
                scenario(summary, "lucene ×1 semantic search").map(s -> s.steps().getFirst()).ifPresent(lucene ->
                        ratios.put("solr ×1 ÷ lucene ×1 semantic-search p50 at " + (int) solr.offeredPerSecond() + "/s",
                                Summary.round(solr.p50Ms() / lucene.p50Ms()))));
        ratios.put("recall@10 of the Solr search, unfiltered", Summary.round(recall.unfiltered()));
        ratios.put("recall@10 of the Solr search, filtered (3 % namespace)", Summary.round(recall.filtered()));
        targets.add(new Summary.Target("Solr search recall@10, unfiltered", "≥ 0.95", recall.unfiltered(),
                recall.unfiltered() >= 0.95, String.format(Locale.ROOT, "%,d records, %,d distinct vectors, %d fresh queries; ties counted",
                recall.records(), recall.distinctTexts(), recall.queries())));
        targets.add(new Summary.Target("Solr search recall@10, filtered", "≥ 0.95", recall.filtered(),
                recall.filtered() >= 0.95, "namespace with about 3 % of the records"));
        fillRates.forEach((name, rate) -> notes.add(String.format(Locale.ROOT,
                "%s was filled with %,d records (%s) in batches of 500 from 2 clients at %,.0f records/s.", name,
                shape.records(), shape.describe(), rate)));
        notes.add("Every configuration runs on the same external PostgreSQL (durable: fsync, synchronous_commit, "
                + "full_page_writes on), the same Redis cache and the same 2-node SolrCloud (collections of 2 shards × 2 replicas, "
                + "the service's configset with its fsynced transaction log); only the index and the replica count differ.");
        notes.add("With two replicas, requests alternate between them; both run on the same 2 cores as PostgreSQL, Solr, "
                + "Redis and this load generator, so a second replica adds no hardware here: the figures show the "
                + "cost of the shape, not its scaling.");
        notes.add("CPU seconds per step: load generator / replicas / PostgreSQL / Solr.");
        notes.add("Recall counts a returned record as right when its exact cosine reaches the exact 10th best "
                + "(records repeating a text share a vector).");
        notes.add("Raw Solr upserts write a vector document and a record document per entry, each vector distinct; "
                + "a cached-text write of the service finds its vector document present and writes the record document only.");
    }

    private static Optional<Summary.Baseline> baseline(Summary summary, String prefix) {
        return summary.baselines().stream().filter(b -> b.name().startsWith(prefix)).findFirst();
    }

    private static Optional<Summary.Scenario> scenario(Summary summary, String name) {
        return summary.scenarios().stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** The first three fields of /proc/loadavg, or "unknown". */
    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return fields[0] + ", " + fields[1] + ", " + fields[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private List<String> queryStrings(long count) {
        List<String> fresh = new ArrayList<>();
        for (long i = 0; i < count; i++) {
            fresh.add((String) queryTexts.textFields(AuditKind.AI_ANALYSIS).get("rootCause"));
        }
        return fresh;
    }

    private static List<float[]> embed(Embedder model, List<String> texts) {
        List<float[]> vectors = new ArrayList<>(texts.size());
        for (int from = 0; from < texts.size(); from += 64) {
            vectors.addAll(model.embed(texts.subList(from, Math.min(texts.size(), from + 64))));
            if (from % 3_200 == 0 && from > 0) {
                progress("embedded %,d / %,d texts", from, texts.size());
            }
        }
        return vectors;
    }

    private static OpenLoop.Call post(ServiceProcess service, String path, String body) {
        return OpenLoop.Call.of(json(service, path, body).build(), response -> response.statusCode() == 201);
    }

    /** A search answered from the index: 200 and not degraded to an exact scan. */
    private static OpenLoop.Call search(ServiceProcess service, Map<String, Object> query) {
        return OpenLoop.Call.of(json(service, "/api/v1/audit/search", JSON.writeValueAsString(query)).build(),
                response -> response.statusCode() == 200 && !response.body().contains("\"degraded\":true"));
    }

    private static HttpRequest.Builder json(ServiceProcess service, String path, String body) {
        return HttpRequest.newBuilder(service.api(path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private String batch(List<Map<String, Object>> pool, int from, int count) {
        List<Map<String, Object>> batch = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            batch.add(record(pool.get((from + i) % pool.size())));
        }
        return JSON.writeValueAsString(batch);
    }

    private String body(Map<String, Object> textFields) {
        return JSON.writeValueAsString(record(textFields));
    }

    /** An AI analysis as a producer sends it, around the given embedded fields (which carry its namespace). */
    private synchronized Map<String, Object> record(Map<String, Object> textFields) {
        long n = serial++;
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("correlationId", "bench-" + n);
        record.put("name", "analysis-" + n);
        record.put("namespace", "team-" + n % 20);
        record.put("phase", PHASES[(int) (n % PHASES.length)]);
        record.put("createdAt", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
        record.put("model", "bench-llm");
        record.put("confidence", 0.5 + (n % 50) / 100.0);
        record.put("labels", Map.of("bench", "cluster"));
        record.putAll(textFields);
        return record;
    }

    private static void progress(String format, Object... args) {
        System.err.printf(Locale.ROOT, "[%s] %s%n", LocalDateTime.now().truncatedTo(ChronoUnit.SECONDS)
                .format(DateTimeFormatter.ISO_LOCAL_TIME), String.format(Locale.ROOT, format, args));
    }
}
