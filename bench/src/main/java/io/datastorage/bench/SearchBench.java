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
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

/**
 * Index search quality and speed at scale. The records' vectors are the model's embeddings of
 * {@code --templates} generated audit texts, each repeated with small noise (an audit trail is
 * mostly variations on recurring incidents); queries are embeddings of fresh texts. Recall@10 of
 * the Lucene HNSW search is measured against an exact scan over the same vectors, unfiltered and
 * with a filter matching about 3% of the records; latency is recorded for the index search alone
 * and end to end with the query's embedding.
 */
@Command(name = "search", mixinStandardHelpOptions = true,
        description = "Recall@10 and latency of the index search against an exact scan over the same vectors.")
final class SearchBench implements Runnable {

    @Option(names = "--records", description = "Vectors in the index (default: ${DEFAULT-VALUE}).")
    int records = 100_000;

    @Option(names = "--templates", description = "Distinct texts embedded with the model (default: ${DEFAULT-VALUE}).")
    int templates = 2_000;

    @Option(names = "--queries", description = "Queries measured (default: ${DEFAULT-VALUE}).")
    int queries = 200;

    @Option(names = "--noise", description = "Noise added to a template's vector per record (default: ${DEFAULT-VALUE}).")
    double noise = 0.05;

    private static final int K = 10;
    private static final String RARE = "rare";
    private final Random random = new Random(20261120L);

    @Override
    public void run() {
        try (TempDir temp = TempDir.create("datastorage-bench-search")) {
            run(temp.path());
        }
    }

    private void run(Path dir) {
        AuditTexts texts = new AuditTexts(7L);
        try (OnnxEmbedder.CloseableEmbedder model = OnnxEmbedder.builder()
                .intraOpThreads(Runtime.getRuntime().availableProcessors()).build();
             LuceneVectorIndex index = LuceneVectorIndex.open(dir.resolve("index"), model.dimension(), Duration.ofMinutes(5))) {
            long started = System.nanoTime();
            List<float[]> bases = embed(model, texts.next(templates));
            System.err.printf(Locale.ROOT, "embedded %,d templates in %.0f s%n", templates, (System.nanoTime() - started) / 1e9);

            List<UUID> ids = new ArrayList<>(records);
            List<float[]> vectors = new ArrayList<>(records);
            List<Boolean> rare = new ArrayList<>(records);
            started = System.nanoTime();
            List<IndexEntry> batch = new ArrayList<>();
            for (int i = 0; i < records; i++) {
                float[] vector = noisy(bases.get(random.nextInt(bases.size())));
                UUID id = UUID.randomUUID();
                boolean isRare = random.nextInt(33) == 0;
                ids.add(id);
                vectors.add(vector);
                rare.add(isRare);
                batch.add(new IndexEntry(id, vector, new IndexMetadata(AuditKind.AI_ANALYSIS, isRare ? RARE : "prod",
                        "Completed", Instant.parse("2026-11-01T00:00:00Z").plusSeconds(i), null)));
                if (batch.size() == 1000) {
                    index.upsert(batch);
                    batch.clear();
                }
            }
            index.upsert(batch);
            index.commit();
            index.refresh();
            System.err.printf(Locale.ROOT, "indexed %,d vectors in %.0f s%n", records, (System.nanoTime() - started) / 1e9);

            List<String> queryTexts = new AuditTexts(99L).next(queries);
            IndexFilter rareFilter = new IndexFilter(Set.of(), RARE, null, null, null);
            Histogram exactLatency = new Histogram(3);
            Histogram indexLatency = new Histogram(3);
            Histogram endToEnd = new Histogram(3);
            double recall = 0;
            double filteredRecall = 0;
            for (String text : queryTexts) {
                long t0 = System.nanoTime();
                float[] query = model.embed(List.of(text)).getFirst();
                long t1 = System.nanoTime();
                List<IndexHit> hits = index.search(query, K, IndexFilter.NONE);
                long t2 = System.nanoTime();
                indexLatency.recordValue((t2 - t1) / 1000);
                endToEnd.recordValue((t2 - t0) / 1000);
                long t3 = System.nanoTime();
                Set<UUID> exact = exactTopK(query, ids, vectors, null);
                exactLatency.recordValue((System.nanoTime() - t3) / 1000);
                recall += overlap(hits, exact);
                filteredRecall += overlap(index.search(query, K, rareFilter), exactTopK(query, ids, vectors, rare));
            }
            recall /= queryTexts.size();
            filteredRecall /= queryTexts.size();

            System.out.printf(Locale.ROOT, "%nSearch over %,d vectors (%d dimensions; %,d templates, noise %.2f), %d queries, %d cores%n",
                    records, model.dimension(), templates, noise, queries, Runtime.getRuntime().availableProcessors());
            System.out.printf(Locale.ROOT, "%-44s %10s %10s %10s%n", "measurement", "p50 ms", "p95 ms", "p99 ms");
            row("raw: exact top-10 scan (baseline)", exactLatency);
            row("index search (Lucene HNSW)", indexLatency);
            row("end to end: embed query + index search", endToEnd);
            System.out.printf(Locale.ROOT, "recall@10 unfiltered: %.3f%n", recall);
            System.out.printf(Locale.ROOT, "recall@10 filtered (about 3%% match): %.3f%n", filteredRecall);
            System.out.printf(Locale.ROOT, "index p95 / exact p95: %.3f%n",
                    indexLatency.getValueAtPercentile(95) / (double) exactLatency.getValueAtPercentile(95));
        }
    }

    private static void row(String name, Histogram h) {
        System.out.printf(Locale.ROOT, "%-44s %10.2f %10.2f %10.2f%n", name, h.getValueAtPercentile(50) / 1000.0,
                h.getValueAtPercentile(95) / 1000.0, h.getValueAtPercentile(99) / 1000.0);
    }

    private static List<float[]> embed(Embedder model, List<String> texts) {
        List<float[]> vectors = new ArrayList<>(texts.size());
        for (int from = 0; from < texts.size(); from += 64) {
            vectors.addAll(model.embed(texts.subList(from, Math.min(texts.size(), from + 64))));
        }
        return vectors;
    }

    private float[] noisy(float[] base) {
        float[] v = new float[base.length];
        double norm = 0;
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (base[i] + noise * random.nextGaussian() / Math.sqrt(v.length));
            norm += v[i] * v[i];
        }
        for (int i = 0; i < v.length; i++) {
            v[i] /= (float) Math.sqrt(norm);
        }
        return v;
    }

    /** Exact top-k by cosine, only over the rare records when {@code rare} is given. */
    private static Set<UUID> exactTopK(float[] query, List<UUID> ids, List<float[]> vectors, List<Boolean> rare) {
        PriorityQueue<IndexHit> best = new PriorityQueue<>(Comparator.comparingDouble(IndexHit::score));
        for (int i = 0; i < ids.size(); i++) {
            if (rare != null && !rare.get(i)) {
                continue;
            }
            best.add(new IndexHit(ids.get(i), VectorIndexes.cosine(query, vectors.get(i))));
            if (best.size() > K) {
                best.poll();
            }
        }
        Set<UUID> top = new HashSet<>();
        best.forEach(hit -> top.add(hit.id()));
        return top;
    }

    private static double overlap(List<IndexHit> hits, Set<UUID> exact) {
        return hits.stream().filter(hit -> exact.contains(hit.id())).count() / (double) exact.size();
    }

}
