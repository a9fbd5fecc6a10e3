package io.datastorage.bench;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.embedding.Embedder;
import io.datastorage.core.index.IndexEntry;
import io.datastorage.core.index.IndexFilter;
import io.datastorage.core.index.IndexHit;
import io.datastorage.core.index.IndexMetadata;
import io.datastorage.core.index.VectorIndexes;
import io.datastorage.embedding.onnx.OnnxEmbedder;
import io.datastorage.index.lucene.LuceneVectorIndex;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Index search quality and speed on a read set shaped like an audit trail: texts repeat
 * ({@link RepeatedTexts}: a few thousand texts with Zipf-like frequencies, the most frequent on
 * thousands of records, plus records with a text of their own). Each distinct text is embedded
 * once, and every record carrying it gets that very vector: the model is deterministic, so records
 * sharing a text share the exact vector, as they do in the service. Thousands of identical vectors
 * are what crowds an HNSW graph (issue 14).
 *
 * <p>Measured against an exact scan over the same vectors, unfiltered and with a filter on a
 * namespace that about 3 % of the records carry (drawn per record, independently of its text):
 * <ul>
 *   <li>recall@10 with ties counted as right, for fresh query texts and for queries that are
 *       records' own texts: a returned hit is right when its exact cosine reaches the exact 10th
 *       best (less 1e-6); recall is right hits / min(10, matching records);</li>
 *   <li>the exact-match found rate: a query that is a record's own text is found when the first
 *       hit's exact cosine is at least 0.9999 and that hit carries the query's text (with the
 *       filter: the record's namespace, so a record with that text matches);</li>
 *   <li>latency of the embedding, of the index search and of both, one query at a time.</li>
 * </ul>
 */
@Command(name = "search", mixinStandardHelpOptions = true,
        description = "Recall@10, exact-match found rate and latency of the index search on repeated texts, against an exact scan.")
final class SearchBench implements Runnable {

    @Option(names = "--records", description = "Records in the index (default: ${DEFAULT-VALUE}).")
    int records = 100_000;

    @Option(names = "--texts", paramLabel = "<texts>", description = "Distinct repeated texts, Zipf-distributed over the records (default: ${DEFAULT-VALUE}).")
    int zipfTexts = 3_000;

    @Option(names = "--zipf", description = "Zipf exponent of the repeated texts' frequencies (default: ${DEFAULT-VALUE}).")
    double exponent = 1.0;

    @Option(names = "--unique", paramLabel = "<share>", description = "Share of the records with a text of their own (default: ${DEFAULT-VALUE}).")
    double uniqueShare = 0.10;

    @Option(names = "--queries", description = "Fresh-text queries, and queries that are records' own texts (default: ${DEFAULT-VALUE} each).")
    int queries = 200;

    private static final int K = 10;
    private static final String RARE = "rare";
    private static final Instant EPOCH = Instant.parse("2026-11-01T00:00:00Z");

    /** Keeps the baseline scan's result alive, so the JIT cannot drop the scan. */
    private double sink;

    /** One query: its text, and for a record's own text, that record. */
    private record Query(String text, int record) {
    }

    /** The figures of a set of queries. */
    private static final class Tally {
        double recall;
        double filteredRecall;
        int found;
        int filteredFound;
        int count;
    }

    @Override
    public void run() {
        try (TempDir temp = TempDir.create("datastorage-bench-search")) {
            run(temp.path());
        }
    }

    private void run(Path dir) {
        SplittableRandom random = new SplittableRandom(20261130L);
        RepeatedTexts set = RepeatedTexts.of(records, zipfTexts, exponent, uniqueShare, 20261120L);
        List<String> texts = new AuditTexts(7L).next(set.distinctTexts());
        boolean[] rare = new boolean[records];
        for (int i = 0; i < records; i++) {
            rare[i] = random.nextInt(33) == 0;
        }
        System.err.println(set.describe());
        try (OnnxEmbedder.CloseableEmbedder model = OnnxEmbedder.builder()
                .intraOpThreads(Runtime.getRuntime().availableProcessors()).build();
             LuceneVectorIndex index = LuceneVectorIndex.open(dir.resolve("index"), model.dimension(), Duration.ofMinutes(5))) {
            long started = System.nanoTime();
            List<float[]> textVectors = embed(model, texts);
            System.err.printf(Locale.ROOT, "embedded %,d distinct texts in %.0f s%n", texts.size(), (System.nanoTime() - started) / 1e9);

            UUID[] ids = new UUID[records];
            String[] namespaces = new String[records];
            started = System.nanoTime();
            List<IndexEntry> batch = new ArrayList<>();
            for (int i = 0; i < records; i++) {
                ids[i] = UUID.randomUUID();
                namespaces[i] = rare[i] ? RARE : "prod";
                batch.add(new IndexEntry(ids[i], textVectors.get(set.textOf(i)), new IndexMetadata(AuditKind.AI_ANALYSIS,
                        namespaces[i], "Completed", EPOCH.plusSeconds(i), null)));
                if (batch.size() == 1000) {
                    index.upsert(batch);
                    batch.clear();
                }
            }
            index.upsert(batch);
            index.commit();
            index.refresh();
            System.err.printf(Locale.ROOT, "indexed %,d vectors in %.0f s%n", records, (System.nanoTime() - started) / 1e9);

            ExactByText exact = new ExactByText(set, textVectors, ids, namespaces, K);
            Histogram exactLatency = new Histogram(3);
            Histogram embedding = new Histogram(3);
            Histogram indexLatency = new Histogram(3);
            Histogram filteredLatency = new Histogram(3);
            Histogram endToEnd = new Histogram(3);
            List<Query> fresh = new AuditTexts(99L).next(queries).stream().map(t -> new Query(t, -1)).toList();
            List<Query> own = ownTexts(set, texts, rare, random);
            Tally[] tallies = {new Tally(), new Tally()};
            for (int group = 0; group < 2; group++) {
                Tally tally = tallies[group];
                for (Query q : group == 0 ? fresh : own) {
                    long t0 = System.nanoTime();
                    float[] query = model.embed(List.of(q.text())).getFirst();
                    long t1 = System.nanoTime();
                    List<IndexHit> hits = index.search(query, K, IndexFilter.NONE);
                    long t2 = System.nanoTime();
                    embedding.recordValue((t1 - t0) / 1000);
                    indexLatency.recordValue((t2 - t1) / 1000);
                    endToEnd.recordValue((t2 - t0) / 1000);
                    if (group == 0) {
                        long t3 = System.nanoTime();
                        sink += scanAll(query, ids, set, textVectors);
                        exactLatency.recordValue((System.nanoTime() - t3) / 1000);
                    }
                    // Fresh queries are filtered on the 3 % namespace; a record's own text on its own namespace.
                    String namespace = q.record() < 0 ? RARE : namespaces[q.record()];
                    IndexFilter filter = new IndexFilter(Set.of(), namespace, null, null, null);
                    long t4 = System.nanoTime();
                    List<IndexHit> filtered = index.search(query, K, filter);
                    filteredLatency.recordValue((System.nanoTime() - t4) / 1000);

                    double[] scores = exact.scores(query);
                    tally.recall += exact.recall(scores, hits, null);
                    tally.filteredRecall += exact.recall(scores, filtered, namespace);
                    if (q.record() >= 0) {
                        int text = set.textOf(q.record());
                        tally.found += exact.found(scores, text, hits, null) ? 1 : 0;
                        tally.filteredFound += exact.found(scores, text, filtered, namespace) ? 1 : 0;
                    }
                    tally.count++;
                }
            }

            int cores = Runtime.getRuntime().availableProcessors();
            long ownUnique = own.stream().filter(q -> set.isUnique(set.textOf(q.record()))).count();
            long ownRare = own.stream().filter(q -> rare[q.record()]).count();
            long ownHot = own.stream().filter(q -> set.count(set.textOf(q.record())) >= K).count();
            System.out.printf(Locale.ROOT, "%nSearch over %,d vectors (%d dimensions), %d cores%n", records, model.dimension(), cores);
            System.out.printf(Locale.ROOT, "read set: %s (exponent %.2f); %,d records (%.1f %%) in the filtered namespace%n",
                    set.describe(), exponent, exact.records(RARE), 100.0 * exact.records(RARE) / records);
            System.out.printf(Locale.ROOT, "queries: %d fresh texts; %d records' own texts (half drawn by record, half by "
                    + "distinct text: %d on texts of %d or more records, %d unique, %d in the filtered namespace)%n",
                    fresh.size(), own.size(), ownHot, K, ownUnique, ownRare);
            System.out.printf(Locale.ROOT, "%n%-50s %10s %10s %10s%n", "latency, one query at a time", "p50 ms", "p95 ms", "p99 ms");
            row("raw: exact top-10 scan of every record", exactLatency);
            row("index search, unfiltered (Lucene HNSW)", indexLatency);
            row("index search, filtered", filteredLatency);
            row("embedding of the query (model alone)", embedding);
            row("end to end: embed query + index search", endToEnd);
            System.out.printf(Locale.ROOT, "index p95 / exact scan p95: %.3f%n",
                    indexLatency.getValueAtPercentile(95) / (double) exactLatency.getValueAtPercentile(95));

            Tally f = tallies[0];
            Tally o = tallies[1];
            System.out.printf(Locale.ROOT, "%nTargets (ties counted as right)%n");
            target("recall@10 unfiltered, fresh texts", "≥ 0.99", f.recall / f.count, f.recall / f.count >= 0.99);
            target("recall@10 filtered (3 % namespace), fresh texts", "≥ 0.99", f.filteredRecall / f.count,
                    f.filteredRecall / f.count >= 0.99);
            target("recall@10 unfiltered, records' own texts", "≥ 0.99", o.recall / o.count, o.recall / o.count >= 0.99);
            target("recall@10 filtered (record's namespace), own texts", "≥ 0.99", o.filteredRecall / o.count,
                    o.filteredRecall / o.count >= 0.99);
            target("exact-match found rate, unfiltered", "100 %", o.found / (double) o.count, o.found == o.count);
            target("exact-match found rate, record's namespace", "100 %", o.filteredFound / (double) o.count,
                    o.filteredFound == o.count);
            System.out.printf(Locale.ROOT, "(found: %d and %d of %d)%n", o.found, o.filteredFound, o.count);
        }
    }

    /**
     * Queries that are records' own texts: half drawn by record (so the frequent texts dominate, as
     * in use), half by distinct text (so rare and unique texts count too), at least one of them a
     * unique-text record in the filtered namespace.
     */
    private List<Query> ownTexts(RepeatedTexts set, List<String> texts, boolean[] rare, SplittableRandom random) {
        int[][] recordsOf = new int[set.distinctTexts()][];
        int[] filled = new int[set.distinctTexts()];
        for (int t = 0; t < recordsOf.length; t++) {
            recordsOf[t] = new int[set.count(t)];
        }
        for (int r = 0; r < set.records(); r++) {
            int t = set.textOf(r);
            recordsOf[t][filled[t]++] = r;
        }
        List<Query> own = new ArrayList<>(queries);
        for (int i = 0; i < queries; i++) {
            int record = i % 2 == 0 ? random.nextInt(set.records())
                    : pick(recordsOf[random.nextInt(set.distinctTexts())], random);
            own.add(new Query(texts.get(set.textOf(record)), record));
        }
        boolean covered = own.stream().anyMatch(q -> rare[q.record()] && set.isUnique(set.textOf(q.record())));
        if (!covered) {
            for (int r = 0; r < set.records(); r++) {
                if (rare[r] && set.isUnique(set.textOf(r))) {
                    own.set(own.size() - 1, new Query(texts.get(set.textOf(r)), r));
                    break;
                }
            }
        }
        return own;
    }

    private static int pick(int[] values, SplittableRandom random) {
        return values[random.nextInt(values.length)];
    }

    /** The naive baseline: one cosine per record, a bounded selection of the best k. */
    private static double scanAll(float[] query, UUID[] ids, RepeatedTexts set, List<float[]> textVectors) {
        double[] best = new double[K];
        Arrays.fill(best, Double.NEGATIVE_INFINITY);
        for (int i = 0; i < ids.length; i++) {
            double score = VectorIndexes.cosine(query, textVectors.get(set.textOf(i)));
            if (score > best[K - 1]) {
                int at = K - 1;
                while (at > 0 && best[at - 1] < score) {
                    best[at] = best[at - 1];
                    at--;
                }
                best[at] = score;
            }
        }
        return best[K - 1];
    }

    private static void row(String name, Histogram h) {
        System.out.printf(Locale.ROOT, "%-50s %10.2f %10.2f %10.2f%n", name, h.getValueAtPercentile(50) / 1000.0,
                h.getValueAtPercentile(95) / 1000.0, h.getValueAtPercentile(99) / 1000.0);
    }

    private static void target(String name, String goal, double measured, boolean met) {
        System.out.printf(Locale.ROOT, "  %-52s %-8s %8.3f  %s%n", name, goal, measured, met ? "met" : "MISSED");
    }

    private static List<float[]> embed(Embedder model, List<String> texts) {
        List<float[]> vectors = new ArrayList<>(texts.size());
        for (int from = 0; from < texts.size(); from += 64) {
            vectors.addAll(model.embed(texts.subList(from, Math.min(texts.size(), from + 64))));
            if (from % 3_200 == 0 && from > 0) {
                System.err.printf(Locale.ROOT, "embedded %,d / %,d texts%n", from, texts.size());
            }
        }
        return vectors;
    }
}
