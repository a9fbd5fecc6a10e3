package io.datastorage.bench;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.embedding.EmbeddingText;
import io.datastorage.embedding.onnx.OnnxEmbedder;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.DoubleFunction;
import java.util.function.IntFunction;

/**
 * The whole service under load, next to raw baselines measured in the same run. Baselines first,
 * with nothing else running: PostgreSQL inserts of an equivalent row, the model alone at its best
 * batch setting, Lucene upserts of precomputed vectors. Then the service, started as a user starts
 * it ({@code datastorage serve}, embedded defaults) on a fresh data directory, takes writes: fresh
 * texts, repeated (cached) texts, batches of 100. A second service on fresh data is filled to
 * {@code --records} whose texts repeat as an audit trail's do ({@link RepeatedTexts}: Zipf-like
 * frequencies plus unique texts) and takes semantic searches, filtered listings and searches for
 * stored records' own texts (the exact-match found rate); its vectors are then read back for the
 * exact top-10 baseline and recall. Every scenario is a sweep of open-loop steps at
 * fixed offered rates ({@link OpenLoop}); a sweep stops after the first step the service could not
 * keep up with. Writes {@code summary.json}, {@code table.txt} and {@code latency-vs-load.png}.
 */
@Command(name = "service", mixinStandardHelpOptions = true,
        description = {"End-to-end write and search load on the running service, next to raw baselines measured in the same run.",
                "Starts and stops everything itself; writes summary.json, table.txt and latency-vs-load.png."})
final class ServiceBench implements Runnable {
    private static final int K = 10;
    private static final int NAMESPACES = 20;
    private static final String[] PHASES = {"Completed", "Completed", "Failed", "Processing"};
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Option(names = "--quick", description = "Short steps, a 10,000-record search set and 50 recall and exact-match queries: a few minutes, for a smoke check.")
    boolean quick;

    @Option(names = "--records", description = "Records in the service for the read scenarios: 90 %% share 3 %% as many texts, Zipf-like; 10 %% have their own (default: 100000, quick 10000).")
    Integer records;

    @Option(names = "--out", description = "Directory for the results (default: bench/results/<mode>-<time>).")
    Path out;

    /** Which of the two services to run. */
    enum Part { all, writes, reads }

    @Option(names = "--only", description = "Run only the write scenarios or only the read ones: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Part only = Part.all;

    @Option(names = "--profile", description = "Record a JFR profile of the service during each scenario (<scenario>.jfr in the results).")
    boolean profile;

    /** How long and how hard each part runs. */
    record Plan(Duration baseline, int modelTexts, int[][] modelSettings, int indexEntries, Duration warmUp,
                double[] freshFractions, double[] cachedRates, double[] batchRates, double[] searchRates,
                double[] listingRates, Duration writeStep, Duration readStep, int records, int recallQueries) {
    }

    private final AuditTexts texts = new AuditTexts(20261121L);
    private final AuditTexts queries = new AuditTexts(99L);
    private final int cores = Runtime.getRuntime().availableProcessors();
    private final List<String> notes = new ArrayList<>();
    private long serial;

    @Override
    public void run() {
        Path home = Path.of(System.getProperty("datastorage.home", "."));
        Plan plan = plan();
        Path dir = out != null ? out : home.resolve("bench/results/" + (quick ? "quick-" : "full-")
                + LocalDateTime.now().truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Path launcher = home.resolve("datastorage");
        String started = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (TempDir temp = TempDir.create("datastorage-bench-service"); OpenLoop load = new OpenLoop(1024)) {
            List<Summary.Baseline> baselines = new ArrayList<>();
            List<Summary.Scenario> scenarios = new ArrayList<>();

            // Raw baselines, nothing else running.
            List<Map<String, Object>> modelTexts = new ArrayList<>();
            for (int i = 0; i < plan.modelTexts(); i++) {
                modelTexts.add(texts.textFields(AuditKind.AI_ANALYSIS));
            }
            List<String> embeddingTexts = modelTexts.stream().map(f -> EmbeddingText.of(AuditKind.AI_ANALYSIS, f)).toList();
            RawBaselines.Measured bestModel = null;
            List<float[]> vectors = new ArrayList<>();
            for (int[] setting : plan.modelSettings()) {
                progress("baseline: model alone, %d thread(s) × %d worker(s), batches of %d", setting[0], setting[1], setting[2]);
                RawBaselines.Measured m = RawBaselines.model(setting[0], setting[1], setting[2], embeddingTexts, vectors);
                baselines.add(Summary.Baseline.of(m));
                if (bestModel == null || m.perSecond() > bestModel.perSecond()) {
                    bestModel = m;
                }
            }
            progress("baseline: PostgreSQL single-row inserts");
            List<String> documents = modelTexts.stream().map(f -> body(f, Instant.now())).toList();
            List<RawBaselines.Measured> postgres = RawBaselines.postgresInserts(temp.path().resolve("raw-postgres"),
                    documents, vectors, plan.baseline(), 1, 16);
            postgres.forEach(m -> baselines.add(Summary.Baseline.of(m)));
            progress("baseline: Lucene upserts");
            RawBaselines.indexUpserts(temp.path().resolve("raw-index"), vectors, plan.indexEntries(), cores)
                    .forEach(m -> baselines.add(Summary.Baseline.of(m)));

            // The service taking writes.
            List<Map<String, Object>> written = new ArrayList<>();
            if (only != Part.reads) try (ServiceProcess service = start(launcher, temp.path().resolve("writes"), dir, "writes")) {
                double modelRate = bestModel.perSecond();
                List<Map<String, Object>> warmTexts = freshTexts(Math.round(modelRate / 2 * plan.warmUp().toSeconds()));
                warmUp(load, service, "writes", modelRate / 2, plan.warmUp(), i -> post(service, "/api/v1/audit/aianalysis",
                        body(warmTexts.get(i % warmTexts.size()), Instant.now())));
                warmUp(load, service, "cached writes", 300, plan.warmUp(), i -> post(service, "/api/v1/audit/aianalysis",
                        body(warmTexts.get(i % warmTexts.size()), Instant.now())));
                warmUp(load, service, "batch writes", 3, plan.warmUp(), i -> post(service, "/api/v1/audit/aianalysis/batch",
                        batch(warmTexts, i * 100, 100)));

                scenarios.add(scenario(service, dir, "fresh-text writes",
                        "POST /api/v1/audit/aianalysis, every text new: each write embeds with the model", 1,
                        load, Arrays.stream(plan.freshFractions()).map(f -> Math.max(1, Math.round(f * modelRate))).toArray(),
                        plan.writeStep(), false, rate -> {
                            List<Map<String, Object>> stepTexts = freshTexts(Math.round(rate * plan.writeStep().toSeconds()));
                            written.addAll(stepTexts);
                            return i -> post(service, "/api/v1/audit/aianalysis", body(stepTexts.get(i % stepTexts.size()), Instant.now()));
                        }));
                // The texts written last are in the cache (its entries live 5 minutes from their write).
                List<Map<String, Object>> pool = written.subList(Math.max(0, written.size() - 1000), written.size());
                scenarios.add(scenario(service, dir, "cached-text writes",
                        "POST /api/v1/audit/aianalysis, texts from the last 1,000 written: embeddings come from the cache", 1,
                        load, plan.cachedRates(), plan.writeStep(), true,
                        rate -> i -> post(service, "/api/v1/audit/aianalysis", body(pool.get(i % pool.size()), Instant.now()))));
                scenarios.add(scenario(service, dir, "batch writes of 100",
                        "POST /api/v1/audit/aianalysis/batch with 100 cached-text records; rates are batches/s", 100,
                        load, plan.batchRates(), plan.writeStep(), true,
                        rate -> i -> post(service, "/api/v1/audit/aianalysis/batch", batch(pool, i * 100, 100))));
            }

            // A second service on fresh data, filled, taking reads.
            List<String> recallTexts = new ArrayList<>();
            AtomicReferenceArray<String> recallAnswers = new AtomicReferenceArray<>(plan.recallQueries());
            ExactSearch exact = null;
            ExactMatch exactMatch = null;
            long stored = 0;
            RepeatedTexts shape = readSetShape(plan.records());
            if (only != Part.writes) try (ServiceProcess service = start(launcher, temp.path().resolve("reads"), dir, "reads")) {
                List<Map<String, Object>> readSet = readSet(shape);
                fill(load, service, readSet, shape);
                List<String> warmQueries = queryTexts(Math.round(10 * plan.warmUp().toSeconds()));
                warmUp(load, service, "searches", 10, plan.warmUp(), i -> search(service, warmQueries.get(i), null, i));
                warmUp(load, service, "listings", 100, plan.warmUp(), i -> listing(service, i));
                scenarios.add(scenario(service, dir, "semantic search",
                        "POST /api/v1/audit/search, a new query text each (embedded per request), top 10", 1,
                        load, plan.searchRates(), plan.readStep(), true, rate -> {
                            List<String> stepQueries = queryTexts(Math.round(rate * plan.readStep().toSeconds()));
                            // The first recallQueries answers, over the steps, are checked for recall.
                            int first = recallTexts.size();
                            int kept = Math.min(stepQueries.size(), plan.recallQueries() - first);
                            recallTexts.addAll(stepQueries.subList(0, kept));
                            return i -> search(service, stepQueries.get(i), i < kept ? recallAnswers : null, first + i);
                        }));
                try (OnnxEmbedder.CloseableEmbedder model = OnnxEmbedder.builder().intraOpThreads(cores).build()) {
                    scenarios.add(scenario(service, dir, "search by vector",
                            "POST /api/v1/audit/search with the query's vector (embedded beforehand): the search without the embedding",
                            1, load, plan.searchRates(), plan.readStep(), true, rate -> {
                                List<String> stepQueries = queryTexts(Math.round(rate * plan.readStep().toSeconds()));
                                List<float[]> queryVectors = new ArrayList<>();
                                for (int from = 0; from < stepQueries.size(); from += 32) {
                                    queryVectors.addAll(model.embed(stepQueries.subList(from, Math.min(stepQueries.size(), from + 32))));
                                }
                                return i -> searchByVector(service, queryVectors.get(i));
                            }));
                }
                scenarios.add(scenario(service, dir, "filtered listing",
                        "GET /api/v1/audit/aianalysis?namespace=<1 of 20>&limit=50", 1,
                        load, plan.listingRates(), plan.readStep(), true, rate -> i -> listing(service, i)));
                exactMatch = exactMatch(load, service, shape, readSet, plan.recallQueries());
                progress("reading the stored vectors back");
                exact = ExactSearch.load(service.jdbcUrl());
                stored = exact.size();
                int distinctVectors = exact.distinctVectors();
                notes.add(String.format(Locale.ROOT, "The %,d stored vectors hold %,d bitwise distinct ones for %,d distinct texts%s.",
                        stored, distinctVectors, shape.distinctTexts(), distinctVectors > shape.distinctTexts()
                                ? ": some records sharing a text got vectors that differ (embedded in different model batches)"
                                : ": records sharing a text share its vector"));
            }

            // Exact search over the same vectors, and recall, with the service stopped.
            Recall recall = null;
            if (exact != null) {
                progress("baseline: exact top-10 over %,d vectors; recall of %d answers", stored, recallTexts.size());
                recall = recall(exact, recallTexts, recallAnswers);
                baselines.add(Summary.Baseline.of(recall.exactLatency()));
            }

            Summary summary = new Summary(quick ? "quick" : "full", command(), started,
                    new Summary.Machine(cores, Runtime.version().toString(), System.getProperty("os.name") + " "
                            + System.getProperty("os.arch"), Runtime.getRuntime().maxMemory() >> 20),
                    baselines, scenarios, new LinkedHashMap<>(), new ArrayList<>(), notes);
            judge(summary, bestModel, postgres.getLast(), recall, exactMatch, stored, plan);
            summary.writeJson(dir.resolve("summary.json"));
            String table = summary.table();
            Summary.write(dir.resolve("table.txt"), table);
            LatencyChart.write(scenarios, "datastorage, latency vs offered load (" + summary.mode() + " run, " + cores
                    + " cores, " + started + ")", dir.resolve("latency-vs-load.png"));
            System.out.println(table);
            System.out.println("Results: " + dir.resolve("summary.json") + ", table.txt, latency-vs-load.png");
        }
    }

    /** The command line that reproduces this run. */
    private String command() {
        return "./bench/run.sh" + (quick ? " --quick" : "") + (only != Part.all ? " --only " + only : "")
                + (records != null ? " --records " + records : "") + (profile ? " --profile" : "");
    }

    private Plan plan() {
        if (quick) {
            return new Plan(Duration.ofSeconds(3), 256, new int[][]{{1, cores, 32}}, 5_000, Duration.ofSeconds(3),
                    new double[]{0.6, 1.2}, new double[]{500, 1000, 2000}, new double[]{5, 15},
                    new double[]{10, 20}, new double[]{100, 300}, Duration.ofSeconds(5), Duration.ofSeconds(5),
                    records != null ? records : 10_000, 50);
        }
        return new Plan(Duration.ofSeconds(10), 1024, new int[][]{{1, cores, 8}, {1, cores, 32}, {1, cores, 64}, {cores, 1, 64}},
                20_000, Duration.ofSeconds(10), new double[]{0.5, 0.75, 1.0, 1.25, 1.5}, new double[]{250, 500, 1000, 1500, 2000, 2500, 3000},
                new double[]{2, 5, 10, 20, 30, 40, 50}, new double[]{5, 10, 20, 40}, new double[]{50, 100, 250, 500},
                Duration.ofSeconds(15), Duration.ofSeconds(15), records != null ? records : 100_000, 200);
    }

    private ServiceProcess start(Path launcher, Path dataDir, Path results, String name) {
        progress("starting the service (%s) on a fresh data directory", name);
        return ServiceProcess.start(launcher, dataDir, results.resolve("service-" + name + ".log"));
    }

    /**
     * A sweep of steps at the given rates, each with the calls {@code perRate} makes for it; with
     * {@code stopWhenBehind}, it ends after the first step the service could not keep up with. With
     * {@code --profile}, the service records a JFR profile for the whole sweep.
     */
    private Summary.Scenario scenario(ServiceProcess service, Path dir, String name, String description,
                                      int recordsPerRequest, OpenLoop load, double[] rates, Duration each,
                                      boolean stopWhenBehind, DoubleFunction<IntFunction<OpenLoop.Call>> perRate) {
        String file = name.replaceAll("[^a-z0-9]+", "-");
        if (profile) {
            service.startRecording(file);
        }
        List<Summary.Step> steps = new ArrayList<>();
        for (double rate : rates) {
            Summary.Step s = step(load, service, name, rate, each, perRate.apply(rate));
            steps.add(s);
            if (stopWhenBehind && !s.keptUp()) {
                break;
            }
        }
        if (profile) {
            service.stopRecording(file, dir.resolve(file + ".jfr"));
        }
        return new Summary.Scenario(name, description, recordsPerRequest, steps);
    }

    /** Load before the measurements, so they find the service's code compiled and its pools filled. */
    private static void warmUp(OpenLoop load, ServiceProcess service, String what, double rate, Duration duration,
                               IntFunction<OpenLoop.Call> calls) {
        progress("warming up: %s at %.0f/s for %d s", what, rate, duration.toSeconds());
        OpenLoop.Step s = load.run(rate, duration, calls);
        if (s.failed() > 0) {
            throw new IllegalStateException("the service failed " + s.failed() + " warm-up requests, first: " + s.firstFailure());
        }
    }

    private List<Map<String, Object>> freshTexts(long count) {
        List<Map<String, Object>> fresh = new ArrayList<>();
        for (long i = 0; i < count; i++) {
            fresh.add(texts.textFields(AuditKind.AI_ANALYSIS));
        }
        return fresh;
    }

    /** What a person would type: one fresh root-cause sentence each. */
    private List<String> queryTexts(long count) {
        List<String> fresh = new ArrayList<>();
        for (long i = 0; i < count; i++) {
            fresh.add((String) queries.textFields(AuditKind.AI_ANALYSIS).get("rootCause"));
        }
        return fresh;
    }

    private static OpenLoop.Call searchByVector(ServiceProcess service, float[] vector) {
        HttpRequest request = json(service, "/api/v1/audit/search", JSON.writeValueAsString(Map.of("vector", vector, "topK", K))).build();
        return OpenLoop.Call.of(request, ServiceBench::searched);
    }

    /** A top-10 search; its answer is kept in {@code answers} at {@code index} when given. */
    private static OpenLoop.Call search(ServiceProcess service, String query, AtomicReferenceArray<String> answers, int index) {
        HttpRequest request = json(service, "/api/v1/audit/search", JSON.writeValueAsString(Map.of("query", query, "topK", K))).build();
        return OpenLoop.Call.of(request, response -> {
            if (answers != null) {
                answers.set(index, response.body());
            }
            return searched(response);
        });
    }

    /** A search answered from the index: 200 and not degraded to an exact scan. */
    private static boolean searched(HttpResponse<String> response) {
        return response.statusCode() == 200 && !response.body().contains("\"degraded\":true");
    }

    private Summary.Step step(OpenLoop load, ServiceProcess service, String name, double rate, Duration each,
                              IntFunction<OpenLoop.Call> calls) {
        progress("%s at %.0f/s for %d s", name, rate, each.toSeconds());
        double hits = service.metric("datastorage_cache_hits_total");
        double misses = service.metric("datastorage_cache_misses_total");
        double generator = ServiceProcess.cpuSeconds(ProcessHandle.current());
        ServiceProcess.Cpu before = service.cpu();
        OpenLoop.Step s = load.run(rate, each, calls);
        ServiceProcess.Cpu after = service.cpu();
        Summary.Cpu cpu = new Summary.Cpu(Summary.round(ServiceProcess.cpuSeconds(ProcessHandle.current()) - generator),
                Summary.round(after.service() - before.service()), Summary.round(after.postgres() - before.postgres()));
        double hitDelta = service.metric("datastorage_cache_hits_total") - hits;
        double missDelta = service.metric("datastorage_cache_misses_total") - misses;
        Summary.Step step = Summary.Step.of(s, cpu, hitDelta + missDelta == 0 ? null : hitDelta / (hitDelta + missDelta));
        progress("  answered %.1f/s, p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, failed %d%s", step.throughput(), step.p50Ms(),
                step.p95Ms(), step.p99Ms(), step.failed(), step.firstFailure() == null ? "" : " (" + step.firstFailure() + ")");
        ServiceProcess.sleep(1000); // let the service settle before the next step
        return step;
    }

    /**
     * The read set's shape: texts repeat Zipf-like (3 % of the records' count of distinct texts, on
     * 90 % of the records: at 100,000 records the most frequent text is on about 10,500) and 10 % of
     * the records carry a text of their own. Every distinct text costs the service one embedding
     * (about 100/s here): 13,000 at 100,000 records.
     */
    static RepeatedTexts readSetShape(int records) {
        return RepeatedTexts.of(records, Math.max(1, records * 3 / 100), 1.0, 0.10, 20261130L);
    }

    /** Each record's embedded fields and namespace, in filling order. */
    static List<Map<String, Object>> readSet(RepeatedTexts shape) {
        AuditTexts generator = new AuditTexts(20261130L);
        List<Map<String, Object>> distinct = new ArrayList<>(shape.distinctTexts());
        for (int t = 0; t < shape.distinctTexts(); t++) {
            distinct.add(generator.textFields(AuditKind.AI_ANALYSIS));
        }
        List<Map<String, Object>> readSet = new ArrayList<>(shape.records());
        for (int r = 0; r < shape.records(); r++) {
            Map<String, Object> fields = new LinkedHashMap<>(distinct.get(shape.textOf(r)));
            fields.put("namespace", namespace(r));
            readSet.add(fields);
        }
        return readSet;
    }

    /** The namespace of the read set's record at {@code position}: 1 of 20, independent of its text. */
    private static String namespace(int position) {
        return "team-" + position % NAMESPACES;
    }

    /** Writes the read set in batches of 500 with two clients. */
    private void fill(OpenLoop load, ServiceProcess service, List<Map<String, Object>> readSet, RepeatedTexts shape) {
        int target = readSet.size();
        AtomicLong done = new AtomicLong();
        AtomicLong batches = new AtomicLong();
        long started = System.nanoTime();
        int size = 500;
        long total = (target + size - 1) / size;
        try (ExecutorService clients = Executors.newFixedThreadPool(2)) {
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < 2; c++) {
                running.add(clients.submit(() -> {
                    for (long b = batches.getAndIncrement(); b < total; b = batches.getAndIncrement()) {
                        int count = (int) Math.min(size, target - b * size);
                        HttpResponse<String> response = load.send(post(service, "/api/v1/audit/aianalysis/batch",
                                batch(readSet, (int) (b * size), count)).request());
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
                    if (System.nanoTime() - lastReport > 5e9) {
                        lastReport = System.nanoTime();
                        progress("filling: %,d / %,d records", done.get(), target);
                    }
                }
                f.get();
            }
        } catch (Exception e) {
            throw new IllegalStateException("filling the service failed", e);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        progress("filled %,d records in %.0f s (%,.0f records/s)", done.get(), seconds, done.get() / seconds);
        notes.add(String.format(Locale.ROOT, "Search and listing ran on a second service filled in %.0f s (batches of 500) "
                + "with %s.", seconds, shape.describe()));
    }

    record Recall(double recall, RawBaselines.Measured exactLatency) {
    }

    private Recall recall(ExactSearch exact, List<String> queryTexts, AtomicReferenceArray<String> answers) {
        Histogram latency = new Histogram(3);
        double sum = 0;
        int counted = 0;
        long started = System.nanoTime();
        try (OnnxEmbedder.CloseableEmbedder model = OnnxEmbedder.builder().intraOpThreads(cores).build()) {
            for (int i = 0; i < queryTexts.size(); i++) {
                float[] query = model.embed(List.of(queryTexts.get(i))).getFirst();
                long t0 = System.nanoTime();
                double[] top = exact.topScores(query, K);
                latency.recordValue((System.nanoTime() - t0) / 1000);
                String answer = answers.get(i);
                if (answer == null) {
                    continue;
                }
                List<UUID> ids = new ArrayList<>();
                for (JsonNode result : JSON.readTree(answer).path("results")) {
                    ids.add(UUID.fromString(result.path("record").path("id").asString()));
                }
                sum += exact.recall(query, ids, top);
                counted++;
            }
        }
        return new Recall(counted == 0 ? Double.NaN : sum / counted, new RawBaselines.Measured(
                String.format(Locale.ROOT, "exact top-10 scan over %,d vectors, 1 thread", exact.size()), "searches",
                latency.getTotalCount(), (System.nanoTime() - started) / 1e9, latency));
    }

    /** How many searches for a stored record's own text found it first, unfiltered and in its namespace. */
    record ExactMatch(int searches, int found, int foundInNamespace, double lowestFirstScore) {
    }

    /**
     * Searches whose query is a stored record's embedded text, one at a time after the load: half
     * drawn by record (so frequent texts dominate, as in use), half by distinct text (so rare and
     * unique texts count too). Found: the first result scores at least 0.9999 (the API returns the
     * cosine as computed, clamped to [0, 1]) and carries the query's text; then the same with a
     * filter on the drawn record's namespace.
     */
    private ExactMatch exactMatch(OpenLoop load, ServiceProcess service, RepeatedTexts shape,
                                  List<Map<String, Object>> readSet, int searches) {
        progress("exact match: %d searches for stored records' own texts, unfiltered and in their namespace", searches);
        int[] someRecord = new int[shape.distinctTexts()];
        for (int r = 0; r < shape.records(); r++) {
            someRecord[shape.textOf(r)] = r;
        }
        SplittableRandom random = new SplittableRandom(20261130L);
        int found = 0;
        int foundInNamespace = 0;
        double lowest = Double.POSITIVE_INFINITY;
        for (int i = 0; i < searches; i++) {
            int r = i % 2 == 0 ? random.nextInt(shape.records()) : someRecord[random.nextInt(shape.distinctTexts())];
            String text = EmbeddingText.of(AuditKind.AI_ANALYSIS, readSet.get(r));
            Map<String, Object> query = new LinkedHashMap<>(Map.of("query", text, "topK", K));
            double first = firstMatch(load.send(json(service, "/api/v1/audit/search", JSON.writeValueAsString(query)).build()), text);
            if (first >= 0) {
                found++;
                lowest = Math.min(lowest, first);
            }
            query.put("namespace", namespace(r));
            if (firstMatch(load.send(json(service, "/api/v1/audit/search", JSON.writeValueAsString(query)).build()), text) >= 0) {
                foundInNamespace++;
            }
        }
        progress("  found %d of %d unfiltered, %d in the record's namespace", found, searches, foundInNamespace);
        return new ExactMatch(searches, found, foundInNamespace, lowest);
    }

    /** The first result's score when it carries {@code text} and scores at least 0.9999, else -1 (also for a failure). */
    @SuppressWarnings("unchecked")
    private static double firstMatch(HttpResponse<String> response, String text) {
        if (response.statusCode() != 200) {
            progress("  a search answered %d: %s", response.statusCode(), response.body());
            return -1;
        }
        JsonNode first = JSON.readTree(response.body()).path("results").path(0);
        if (first.isMissingNode()) {
            return -1;
        }
        double score = first.path("score").asDouble();
        Map<String, Object> record = JSON.convertValue(first.path("record"), Map.class);
        return score >= 0.9999 && text.equals(EmbeddingText.of(AuditKind.AI_ANALYSIS, record)) ? score : -1;
    }

    private void judge(Summary summary, RawBaselines.Measured model, RawBaselines.Measured postgres16, Recall recall,
                       ExactMatch exactMatch, long stored, Plan plan) {
        Map<String, Double> ratios = summary.ratios();
        List<Summary.Target> targets = summary.targets();
        scenario(summary, "fresh-text writes").ifPresent(fresh -> {
            double ratio = Summary.round(fresh.bestThroughput() / model.perSecond());
            ratios.put("fresh-text writes/s ÷ raw model texts/s", ratio);
            targets.add(new Summary.Target("fresh-text writes ÷ raw model", "≥ 0.9", ratio, ratio >= 0.9,
                    String.format(Locale.ROOT, "%.1f writes/s vs %.1f texts/s", fresh.bestThroughput(), model.perSecond())));
        });
        scenario(summary, "cached-text writes").ifPresent(cached -> {
            ratios.put("cached-text writes/s ÷ raw PostgreSQL 16-client rows/s",
                    Summary.round(cached.bestThroughput() / postgres16.perSecond()));
            targets.add(new Summary.Target("cached-text writes/s", "≥ 2000", cached.bestThroughput(),
                    cached.bestThroughput() >= 2000, "best step of the sweep"));
            Summary.Step at1000 = cached.at(1000);
            double p95 = at1000 == null ? Double.NaN : at1000.p95Ms();
            targets.add(new Summary.Target("cached-text write p95 ms at 1,000/s offered", "≤ 10", p95, p95 <= 10,
                    at1000 == null ? "the sweep stopped below 1,000/s" : ""));
        });
        scenario(summary, "batch writes of 100").ifPresent(batch -> ratios.put(
                "batch-write records/s ÷ raw PostgreSQL 16-client rows/s",
                Summary.round(batch.bestThroughput() * 100 / postgres16.perSecond())));
        scenario(summary, "semantic search").ifPresent(search -> {
            double exactP95 = recall.exactLatency().latency().getValueAtPercentile(95) / 1000.0;
            Summary.Step at10 = search.at(10);
            double p95 = at10 == null ? Double.NaN : at10.p95Ms();
            ratios.put("search recall@10 against the exact top 10", Summary.round(recall.recall()));
            ratios.put("search p95 at 10/s ÷ exact top-10 p95", Summary.round(p95 / exactP95));
            targets.add(new Summary.Target("search recall@10", "≥ 0.99", recall.recall(), recall.recall() >= 0.99,
                    String.format(Locale.ROOT, "%,d records; ties counted as right", stored)));
            targets.add(new Summary.Target("search p95 ms end to end at 10/s", "≤ 15", p95, p95 <= 15,
                    String.format(Locale.ROOT, "%,d records, query embedded per request", stored)));
        });
        if (exactMatch != null) {
            ExactMatch m = exactMatch;
            targets.add(new Summary.Target("exact-match found rate, unfiltered", "100 %", m.found() / (double) m.searches(),
                    m.found() == m.searches(), String.format(Locale.ROOT, "%d of %d searches for a stored record's own text",
                    m.found(), m.searches())));
            targets.add(new Summary.Target("exact-match found rate, record's namespace", "100 %",
                    m.foundInNamespace() / (double) m.searches(), m.foundInNamespace() == m.searches(),
                    String.format(Locale.ROOT, "%d of %d; namespace holds 1 in %d records", m.foundInNamespace(),
                            m.searches(), NAMESPACES)));
            if (m.found() > 0) {
                notes.add(String.format(Locale.ROOT, "Exact match: found when the first result scores at least 0.9999 and "
                        + "carries the query's text; the lowest such score was %.9f.", m.lowestFirstScore()));
            }
        }
        if (recall != null && stored < plan.records()) {
            notes.add("Fewer vectors stored than records: some embeddings were pending.");
        }
        if (recall != null) {
            notes.add("Recall counts a returned record as right when its exact score reaches the exact 10th best score, "
                    + "because records repeating a text share a vector.");
        }
        notes.add("The load generator runs on the same cores as the service; its CPU seconds are in the table.");
        if (quick) {
            notes.add("Quick mode: short steps and a small search set; quote the full run.");
        }
    }

    private static Optional<Summary.Scenario> scenario(Summary summary, String name) {
        return summary.scenarios().stream().filter(s -> s.name().equals(name)).findFirst();
    }

    private static OpenLoop.Call post(ServiceProcess service, String path, String body) {
        return OpenLoop.Call.of(json(service, path, body).build(), response -> response.statusCode() == 201);
    }

    /** A page of 50 records of one of the namespaces (each holds about 5% of the records). */
    private static OpenLoop.Call listing(ServiceProcess service, int i) {
        HttpRequest request = HttpRequest.newBuilder(service.api("/api/v1/audit/aianalysis?namespace=team-" + i % NAMESPACES
                + "&limit=50")).timeout(Duration.ofSeconds(60)).GET().build();
        return () -> request;
    }

    private static HttpRequest.Builder json(ServiceProcess service, String path, String body) {
        return HttpRequest.newBuilder(service.api(path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private String batch(List<Map<String, Object>> pool, int from, int count) {
        List<Map<String, Object>> records = new ArrayList<>(count);
        Instant now = Instant.now();
        for (int i = 0; i < count; i++) {
            records.add(record(pool.get((from + i) % pool.size()), now));
        }
        return JSON.writeValueAsString(records);
    }

    private String body(Map<String, Object> textFields, Instant createdAt) {
        return JSON.writeValueAsString(record(textFields, createdAt));
    }

    /** An AI analysis as a producer sends it, around the given embedded fields. */
    private synchronized Map<String, Object> record(Map<String, Object> textFields, Instant createdAt) {
        long n = serial++;
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("correlationId", "bench-" + n);
        record.put("name", "analysis-" + n);
        record.put("namespace", "team-" + n % NAMESPACES);
        record.put("phase", PHASES[(int) (n % PHASES.length)]);
        record.put("createdAt", createdAt.truncatedTo(ChronoUnit.MILLIS).toString());
        record.put("model", "bench-llm");
        record.put("confidence", 0.5 + (n % 50) / 100.0);
        record.put("labels", Map.of("bench", "service", "cluster", "c-" + n % 3));
        record.putAll(textFields); // the read set's fields carry their namespace, which replaces the one above
        return record;
    }

    private static void progress(String format, Object... args) {
        System.err.printf(Locale.ROOT, "[%s] %s%n", LocalDateTime.now().truncatedTo(ChronoUnit.SECONDS)
                .format(DateTimeFormatter.ISO_LOCAL_TIME), String.format(Locale.ROOT, format, args));
    }
}
