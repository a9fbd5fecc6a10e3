package io.datastorage.bench;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.index.SliceDigest;
import io.datastorage.core.index.VectorIndexes;
import io.datastorage.index.solr.SolrIndexConfig;
import io.datastorage.index.solr.SolrVectorIndex;
import org.apache.solr.client.solrj.SolrRequest;
import org.apache.solr.client.solrj.SolrServerException;
import org.apache.solr.client.solrj.impl.CloudSolrClient;
import org.apache.solr.client.solrj.impl.HttpJdkSolrClient;
import org.apache.solr.client.solrj.request.SolrQuery;
import org.apache.solr.common.SolrInputDocument;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Raw baselines of Solr itself, through SolrJ with nothing of the service in between: upserts in
 * requests of 1 and of 100 entries, and kNN queries. They run against a collection of their own made
 * exactly as the service makes its own ({@link SolrVectorIndex#open} creates it with the shipped
 * configset: the same schema, HNSW parameters and durable transaction log, 2 shards × 2 replicas),
 * and write the same documents the index writes for a new vector: a vector document and a record
 * document per entry, each vector distinct (so each is a graph insert, as for a fresh text).
 */
final class SolrRaw implements AutoCloseable {
    private final CloudSolrClient client;
    private final ExecutorService executor;
    private final int dimension;
    private final AtomicInteger serial = new AtomicInteger();

    private SolrRaw(CloudSolrClient client, ExecutorService executor, int dimension) {
        this.client = client;
        this.executor = executor;
        this.dimension = dimension;
    }

    /** Creates {@code collection} as the service would and connects to it. */
    static SolrRaw create(List<String> solrUrls, String collection, int dimension) {
        SolrIndexConfig config = new SolrIndexConfig(solrUrls.stream().map(URI::create).toList(), collection, 2, 2,
                dimension, Duration.ofSeconds(60));
        try (SolrVectorIndex index = SolrVectorIndex.open(config)) {
            index.count(); // fails unless the collection is there and answers
        }
        // The client as SolrVectorIndex builds it (see its comments): a pool that grows instead of the
        // default 4 threads, which deadlock on request bodies larger than their pipe, and HTTP/1.1, so
        // that the raw baseline and the service talk to Solr the same way.
        ExecutorService executor = Executors.newCachedThreadPool();
        CloudSolrClient client = new CloudSolrClient.Builder(solrUrls)
                .withHttpClientBuilder(new HttpJdkSolrClient.Builder().withExecutor(executor).useHttp1_1(true)
                        .withRequestTimeout(60, TimeUnit.SECONDS))
                .withDefaultCollection(collection)
                .build();
        return new SolrRaw(client, executor, dimension);
    }

    /**
     * Upserts for {@code duration} each: one entry per request from {@code singleClients} threads,
     * then 100 entries per request from {@code batchClients} threads; each time includes a final hard commit.
     */
    List<RawBaselines.Measured> upserts(List<float[]> vectors, Duration duration, int singleClients, int batchClients) {
        List<RawBaselines.Measured> results = new ArrayList<>();
        for (int perRequest : new int[]{1, 100}) {
            int clients = perRequest == 1 ? singleClients : batchClients;
            long started = System.nanoTime();
            RawBaselines.Measured m = RawBaselines.closedLoop("Solr upsert (SolrJ), " + perRequest + " entr"
                    + (perRequest == 1 ? "y" : "ies") + " per request, " + clients + " clients", "requests", clients,
                    duration, i -> add(vectors, perRequest));
            commit();
            double seconds = (System.nanoTime() - started) / 1e9;
            results.add(new RawBaselines.Measured(m.name(), "entries", m.count() * perRequest, seconds, m.latency()));
        }
        return results;
    }

    private void add(List<float[]> vectors, int count) {
        List<SolrInputDocument> docs = new ArrayList<>(count * 2);
        Instant now = Instant.now();
        long micros = now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
        for (int c = 0; c < count; c++) {
            int i = serial.getAndIncrement();
            float[] vector = distinct(vectors, i);
            String key = VectorIndexes.vectorKey(vector);
            SolrInputDocument v = new SolrInputDocument();
            v.setField("id", "v:" + key);
            v.setField("doc_type", "vector");
            List<Float> values = new ArrayList<>(vector.length);
            for (float f : vector) {
                values.add(f);
            }
            v.setField("vector", values);
            docs.add(v);
            String checksum = Integer.toHexString(i);
            SolrInputDocument r = new SolrInputDocument();
            r.setField("id", UUID.randomUUID().toString());
            r.setField("doc_type", "record");
            r.setField("kind", AuditKind.AI_ANALYSIS.name());
            r.setField("namespace", "team-" + i % 20);
            r.setField("phase", "Completed");
            r.setField("created_at", micros); // epoch microseconds, as the index stores it
            r.setField("checksum", checksum);
            r.setField("fingerprint", SliceDigest.fingerprint(checksum));
            r.setField("vector_key", key);
            r.setField("written_at", now.toEpochMilli());
            docs.add(r);
        }
        try {
            client.add(docs);
        } catch (SolrServerException | IOException e) {
            throw new IllegalStateException("raw Solr upsert failed", e);
        }
    }

    private void commit() {
        try {
            client.commit();
        } catch (SolrServerException | IOException e) {
            throw new IllegalStateException("raw Solr commit failed", e);
        }
    }

    /** kNN top-10 queries over the vector documents, one at a time, for {@code duration}. */
    RawBaselines.Measured knn(List<float[]> queries, Duration duration) {
        return RawBaselines.closedLoop(String.format("Solr kNN top 10 (SolrJ, {!knn} over %,d vectors), 1 client",
                        serial.get()), "queries", 1, duration, i -> {
                    float[] query = queries.get(i % queries.size());
                    StringBuilder vector = new StringBuilder("[");
                    for (int d = 0; d < query.length; d++) {
                        vector.append(d == 0 ? "" : ",").append(query[d]);
                    }
                    SolrQuery q = new SolrQuery("{!knn f=vector topK=10}" + vector.append(']'));
                    q.addFilterQuery("doc_type:vector");
                    q.setRows(10);
                    q.setFields("id", "score");
                    try {
                        if (client.query(q, SolrRequest.METHOD.POST).getResults().isEmpty()) {
                            throw new IllegalStateException("a raw kNN query found nothing");
                        }
                    } catch (SolrServerException | IOException e) {
                        throw new IllegalStateException("raw Solr kNN query failed", e);
                    }
                });
    }

    /**
     * Vector {@code i % size}, moved a little by {@code i} and normalised again: every entry is a
     * distinct vector (the Lucene baseline does the same).
     */
    private float[] distinct(List<float[]> vectors, int i) {
        float[] v = vectors.get(i % vectors.size()).clone();
        v[(i / vectors.size()) % dimension] += 1e-3f * (1 + i / vectors.size());
        double norm = 0;
        for (float f : v) {
            norm += f * f;
        }
        float length = (float) Math.sqrt(norm);
        for (int d = 0; d < v.length; d++) {
            v[d] /= length;
        }
        return v;
    }

    @Override
    public void close() {
        client.close();
        executor.close();
    }
}
