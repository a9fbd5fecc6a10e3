package io.datastorage.index.solr;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.index.IdSlices;
import io.datastorage.core.index.IndexEntry;
import io.datastorage.core.index.IndexFilter;
import io.datastorage.core.index.IndexHealth;
import io.datastorage.core.index.IndexHit;
import io.datastorage.core.index.IndexMetadata;
import io.datastorage.core.index.IndexUnavailableException;
import io.datastorage.core.index.SliceDigest;
import io.datastorage.core.index.VectorIndex;
import io.datastorage.core.index.VectorIndexes;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import org.apache.solr.client.solrj.SolrRequest;
import org.apache.solr.client.solrj.SolrServerException;
import org.apache.solr.client.solrj.impl.CloudSolrClient;
import org.apache.solr.client.solrj.impl.HttpJdkSolrClient;
import org.apache.solr.client.solrj.request.CollectionAdminRequest;
import org.apache.solr.client.solrj.request.ConfigSetAdminRequest;
import org.apache.solr.client.solrj.request.QueryRequest;
import org.apache.solr.client.solrj.request.UpdateRequest;
import org.apache.solr.client.solrj.request.schema.FieldTypeDefinition;
import org.apache.solr.client.solrj.request.schema.SchemaRequest;
import org.apache.solr.client.solrj.response.FacetField;
import org.apache.solr.client.solrj.response.Group;
import org.apache.solr.client.solrj.response.GroupCommand;
import org.apache.solr.client.solrj.response.QueryResponse;
import org.apache.solr.client.solrj.response.schema.SchemaRepresentation;
import org.apache.solr.common.SolrDocument;
import org.apache.solr.common.SolrDocumentList;
import org.apache.solr.common.SolrException;
import org.apache.solr.common.SolrInputDocument;
import org.apache.solr.common.params.CursorMarkParams;
import org.apache.solr.common.params.ModifiableSolrParams;
import org.apache.solr.common.util.ContentStreamBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The SolrCloud vector index: one collection, sharded and replicated by Solr, shared by every
 * replica of the service. Like {@code LuceneVectorIndex} it holds two kinds of document:
 * a <b>vector document</b> ({@code id} = {@code v:} + the vector's {@link VectorIndexes#vectorKey
 * key}, {@code doc_type} = {@code vector}) holds one distinct vector in the collection's HNSW graph
 * (cosine similarity; stored, so that reads return it); a <b>record document</b> ({@code id} = the
 * record's UUID, {@code doc_type} = {@code record}) holds the record's filter fields, checksum,
 * 64-bit fingerprint (a doc value), the key of its vector and when it was written. Records whose
 * embedded texts are equal share one vector document, so the graph has one node per distinct
 * vector: thousands of records repeating one text do not form a crowd of identical nodes the graph
 * search cannot get out of (issue 14).
 *
 * <ul>
 *   <li><b>Client</b>: SolrJ 10's cloud client on the JDK's HTTP client, given Solr node URLs; it
 *       reads the cluster state over HTTP and sends each update to its shard's leader. SolrJ 9's
 *       cloud client runs on Jetty 10's HTTP client, which clashes with the Jetty 12 Spring Boot 4
 *       manages; SolrJ 10's core jar has neither Jetty nor ZooKeeper, and talks to the Solr 9.10
 *       servers the tests run. ZooKeeper hosts are not supported as a setting: they would put
 *       ZooKeeper's client and {@code solr-solrj-zookeeper} on the classpath.</li>
 *   <li><b>Upsert</b>: the whole batch is checked first (nothing is written on a bad one). A
 *       vector document is sent for each key not known present: a bounded cache remembers keys
 *       seen present, the others are looked up with one real-time get for the batch. Vector and
 *       record documents go in one update request; a record document replaces the one with its
 *       id. Vector documents are content-addressed and never deleted, so concurrent writers of
 *       one key (in any process) write the same document and need no lock.</li>
 *   <li><b>Delete</b>: record documents by id; never a delete-by-query.</li>
 *   <li><b>Durability</b>: the shipped configset sets the transaction log's {@code syncLevel} to
 *       {@code FSYNC}: Solr's default ({@code FLUSH}) does not fsync, so a machine crash could lose
 *       upserts Solr had acknowledged. Acknowledged writes survive, so there is no
 *       {@link #crashRecovery()}.</li>
 *   <li><b>Visibility</b>: a soft commit every 0.5 s ({@code autoSoftCommit}); {@link #refresh()}
 *       soft-commits at once. Reads of single entries ({@link #get}, {@link #writtenAt}) use
 *       real-time get and see every acknowledged write.</li>
 *   <li><b>Search</b>: a record whose vector is bitwise the query's comes first, scored 1. A
 *       selective filter (at most {@value #SELECTIVE_FILTER} matching records) is turned into the
 *       keys of the vectors its records hold (a facet), which pre-filter the kNN query over vector
 *       documents: k hits come back whenever k records match, however far the nearest vectors are.
 *       A broader filter (or none) searches all vector documents and asks for twice as many until
 *       k matching records are found or every vector was seen. Each vector hit, best first, is
 *       expanded into its matching records (grouped by key, newest {@code created_at} first, then
 *       the greater id) with their count. Each shard answers a kNN query with its own top t, so
 *       the query asks {@code topK = rows = t} and Solr's merge keeps the global top t. Solr
 *       scores cosine as (1 + cos) / 2; hits carry cos.</li>
 *   <li><b>Reconciliation</b>: {@link #ids} pages by id (the order PostgreSQL sorts uuids in);
 *       {@link #digest} and {@link #fingerprints} page with {@code cursorMark} over ids and
 *       fingerprints, never loading vectors; {@link #writtenAt} is the writer's clock, to the
 *       millisecond. Other processes write the collection: nothing is known settled
 *       ({@link #writesSettledBefore()} is empty).</li>
 *   <li><b>Start-up</b>: an absent collection is created (its configset uploaded first when
 *       absent) with the configured shards and replicas; an existing one is validated (vector
 *       field's class, dimension and similarity; every other field's type) and a mismatch throws
 *       {@link IllegalStateException} naming the collection, the field and both sides. When Solr
 *       cannot be reached the index opens anyway: {@link #health()} is down, calls throw
 *       {@link IndexUnavailableException}, and the next call after {@value #RETRY_SECONDS} s tries
 *       again (a mismatch found then keeps the index unavailable with that detail: a running
 *       service cannot stop itself).</li>
 * </ul>
 * Left out for now: vector documents no record holds any more (orphans) are never removed (they
 * cost space only; searches skip them); and writes carry no version, so across replicas of the
 * service a late write (a repair, a backfill) can overwrite a newer entry and re-create a deleted
 * one; reconciliation corrects both. Unreachable nodes, 5xx answers and timeouts surface as
 * {@link IndexUnavailableException}.
 */
public final class SolrVectorIndex implements VectorIndex {
    private static final Logger log = LoggerFactory.getLogger(SolrVectorIndex.class);

    /** A filter matching at most this many records pre-filters the kNN query by its vectors' keys. */
    static final int SELECTIVE_FILTER = 10_000;
    /** Candidates a kNN query asks for, at least (HNSW's beam: more candidates, better recall). */
    static final int MIN_CANDIDATES = 100;
    static final long RETRY_SECONDS = 5;
    /** Vector keys remembered as present, so that a recurring text's writes skip the lookup. */
    private static final int KNOWN_VECTORS = 100_000;
    static final Duration KNOWN_FOR = Duration.ofHours(1);
    /** Ids per real-time get or terms list of one request. */
    private static final int IDS_PER_REQUEST = 500;
    private static final int PAGE = 5_000;

    static final String ID = "id";
    static final String DOC_TYPE = "doc_type";
    static final String RECORD = "record";
    static final String VECTOR_DOC = "vector";
    static final String KIND = "kind";
    static final String NAMESPACE = "namespace";
    static final String PHASE = "phase";
    static final String CREATED_AT = "created_at";
    static final String CHECKSUM = "checksum";
    static final String FINGERPRINT = "fingerprint";
    static final String VECTOR_KEY = "vector_key";
    static final String WRITTEN_AT = "written_at";
    static final String VECTOR = "vector";
    private static final String VECTOR_ID_PREFIX = "v:";
    /** Records sharing a vector: newest first, then the greater id (the contract's order, the listing's). */
    private static final String NEWEST_FIRST = CREATED_AT + " desc," + ID + " desc";
    private static final String RECORD_FIELDS = String.join(",", ID, KIND, NAMESPACE, PHASE, CREATED_AT, CHECKSUM, VECTOR_KEY);

    /** The type (class) every field must have; the vector field is checked further. */
    private static final Map<String, String> FIELD_CLASSES = fieldClasses();

    private final SolrIndexConfig config;
    private final String collection;
    private final int selectiveFilter;
    private final Clock clock;
    /**
     * Keys whose vector document exists, at most {@value #KNOWN_VECTORS}, each for
     * {@link #KNOWN_FOR}: nothing in the service deletes vector documents, but an operator may
     * empty or recreate the collection, and a key remembered forever would then leave every new
     * record of that vector without one.
     */
    private final Cache<String, Boolean> present = Caffeine.newBuilder().maximumSize(KNOWN_VECTORS)
            .expireAfterWrite(KNOWN_FOR).build();
    private final ReentrantLock bootstrapping = new ReentrantLock();
    /**
     * The HTTP client's threads: a pool that grows, not the client's default of 4 threads. That
     * pool both writes each request body into a pipe (1 KiB) and runs the JDK HttpClient that reads
     * the other end, so 4 requests in flight whose bodies exceed the pipe (a repair batch, a few
     * concurrent upserts) blocked every thread for good, past any request timeout: a replica's
     * repair stopped and its index never converged again (seen in the cluster test that stops every
     * Solr node, and in the bench with 8 clients). Not virtual threads: a pipe fails ("Read end
     * dead") once the thread that last read from it has ended. Daemon threads, shut down by
     * {@link #close()}.
     */
    private final ExecutorService httpThreads = Executors.newCachedThreadPool(Thread.ofPlatform()
            .name("solr-http-", 0).daemon(true).factory());
    /**
     * Tries of one call, about 1.5 s in all, while a shard changes leaders. When a node leaves,
     * Solr answers the updates it forwards with 500 ("Async exception during distributed update")
     * for about half a second, until new leaders are elected. Retried
     * here, inside the index, such a blip never reaches the write path's circuit breaker, which
     * would open for {@code datastorage.index.open-for} (10 s) and leave every write of that time
     * unindexed until the repair (found by the cluster test that stops one Solr node). Every call
     * is idempotent: upserts and deletes by id, reads.
     */
    private final Retry leaderChange = Retry.of("solr-leader-change", RetryConfig.custom()
            .maxAttempts(5)
            .intervalFunction(IntervalFunction.ofExponentialBackoff(Duration.ofMillis(100), 2.0))
            .retryOnException(SolrVectorIndex::passesOnRetry)
            .build());
    /** Set once the collection exists and matches; null until then. */
    private volatile CloudSolrClient client;
    /** Why the index cannot serve calls yet. */
    private volatile String notReady = "not started";
    private volatile long lastAttemptNanos;
    private volatile boolean closed;

    private SolrVectorIndex(SolrIndexConfig config, int selectiveFilter, Clock clock) {
        this.config = config;
        this.collection = config.collection();
        this.selectiveFilter = selectiveFilter;
        this.clock = clock;
    }

    /**
     * Connects, creates the collection when absent, validates an existing one. Solr being
     * unreachable does not fail this: the index opens unavailable and retries later.
     *
     * @throws IllegalStateException the existing collection does not match (a field's type, the
     *                               vector's dimension or similarity), or Solr refused to take the configset
     */
    public static SolrVectorIndex open(SolrIndexConfig config) {
        return open(config, SELECTIVE_FILTER);
    }

    /** {@link #open(SolrIndexConfig)} with another bound for selective filters (tests lower it). */
    static SolrVectorIndex open(SolrIndexConfig config, int selectiveFilter) {
        SolrVectorIndex index = new SolrVectorIndex(config, selectiveFilter, Clock.systemUTC());
        index.bootstrapping.lock();
        try {
            index.bootstrap(true);
        } finally {
            index.bootstrapping.unlock();
        }
        return index;
    }

    public SolrIndexConfig config() {
        return config;
    }

    // ---------------------------------------------------------------- start-up

    /** Caller holds {@link #bootstrapping}. Throws only the start-up's mismatch when {@code atOpen}. */
    private void bootstrap(boolean atOpen) {
        lastAttemptNanos = System.nanoTime();
        CloudSolrClient candidate = null;
        try {
            candidate = newClient();
            List<String> collections = CollectionAdminRequest.listCollections(candidate);
            if (!collections.contains(collection)) {
                create(candidate);
            }
            validate(candidate);
            client = candidate;
            candidate = null;
            notReady = null;
            log.info("Solr collection '{}' is ready ({})", collection, config.solrUrls());
        } catch (IllegalStateException e) {
            notReady = e.getMessage();
            if (atOpen) {
                throw e;
            }
            log.error("{}; the index stays unavailable", e.getMessage());
        } catch (SolrServerException | IOException | SolrException | UncheckedIOException e) {
            notReady = "Solr at " + config.solrUrls() + " cannot be reached for collection '" + collection + "': " + e;
            log.warn("{}; retrying at the next call after {} s", notReady, RETRY_SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            notReady = "interrupted while preparing Solr collection '" + collection + "'";
        } catch (RuntimeException e) {
            // The cloud client fails with plain runtime exceptions when no node answers at all.
            notReady = "Solr at " + config.solrUrls() + " cannot be reached for collection '" + collection + "': " + e;
            log.warn("{}; retrying at the next call after {} s", notReady, RETRY_SECONDS);
        } finally {
            if (candidate != null) {
                closeQuietly(candidate);
            }
        }
    }

    private CloudSolrClient newClient() {
        long timeoutMillis = config.timeout().toMillis();
        HttpJdkSolrClient.Builder http = new HttpJdkSolrClient.Builder()
                .withExecutor(httpThreads)
                // HTTP/1.1, not the JDK client's default h2c upgrade: after the Solr nodes restarted on their ports,
                // a replica's large update requests kept failing (EOF, broken pipe, Jetty's "invalid_preface")
                // and its repair never converged (the cluster test that stops every Solr node).
                .useHttp1_1(true)
                .withConnectionTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
                .withRequestTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
                .withIdleTimeout(timeoutMillis, TimeUnit.MILLISECONDS);
        return new CloudSolrClient.Builder(config.solrUrls().stream().map(URI::toString).toList())
                .withHttpClientBuilder(http)
                .withDefaultCollection(collection)
                .build();
    }

    private void create(CloudSolrClient solr) throws SolrServerException, IOException, InterruptedException {
        String configset = SolrConfigset.name(config.dimension());
        if (!new ConfigSetAdminRequest.List().process(solr).getConfigSets().contains(configset)) {
            upload(solr, configset);
        }
        log.info("Creating Solr collection '{}' ({} shards x {} replicas, configset {})", collection, config.shards(),
                config.replicationFactor(), configset);
        CollectionAdminRequest.Create create = CollectionAdminRequest.createCollection(collection, configset,
                config.shards(), config.replicationFactor());
        create.setWaitForFinalState(true);
        try {
            create.process(solr);
        } catch (SolrException e) {
            // Another replica of the service may have created it meanwhile.
            if (!CollectionAdminRequest.listCollections(solr).contains(collection)) {
                throw e;
            }
        }
    }

    private void upload(CloudSolrClient solr, String configset) throws SolrServerException, IOException {
        Map<String, String> files = SolrConfigset.files(config.dimension());
        ConfigSetAdminRequest.Upload upload = new ConfigSetAdminRequest.Upload()
                .setConfigSetName(configset)
                .setUploadStream(new ContentStreamBase.ByteArrayStream(SolrConfigset.zip(files), configset + ".zip",
                        "application/octet-stream"));
        try {
            upload.process(solr);
            log.info("Uploaded configset {} to Solr", configset);
        } catch (SolrException e) {
            if (new ConfigSetAdminRequest.List().process(solr).getConfigSets().contains(configset)) {
                return; // uploaded by another replica meanwhile
            }
            if (e.code() >= 400 && e.code() < 500) {
                throw new IllegalStateException("Solr refused to take configset " + configset + " for collection '"
                        + collection + "' (" + e.getMessage() + "). Upload it by hand: its files are "
                        + String.join(", ", files.keySet()) + " under io/datastorage/index/solr/configset/ in the "
                        + "datastorage-index-solr jar, with @DIMENSION@ replaced by " + config.dimension()
                        + " (bin/solr zk upconfig -n " + configset + " -d <directory>), then start again", e);
            }
            throw e;
        }
    }

    /** Like Spring AI's schema validation: the vector field's class, dimension and similarity, every other field's type. */
    private void validate(CloudSolrClient solr) throws SolrServerException, IOException {
        SchemaRepresentation schema = new SchemaRequest().process(solr, collection).getSchemaRepresentation();
        if (!ID.equals(schema.getUniqueKey())) {
            throw mismatch("the unique key", String.valueOf(schema.getUniqueKey()), ID);
        }
        Map<String, Map<String, Object>> types = new HashMap<>();
        for (FieldTypeDefinition type : schema.getFieldTypes()) {
            types.put(String.valueOf(type.getAttributes().get("name")), type.getAttributes());
        }
        Map<String, Map<String, Object>> fields = new HashMap<>();
        for (Map<String, Object> field : schema.getFields()) {
            fields.put(String.valueOf(field.get("name")), field);
        }
        for (Map.Entry<String, String> expected : FIELD_CLASSES.entrySet()) {
            String name = expected.getKey();
            Map<String, Object> field = fields.get(name);
            if (field == null) {
                throw mismatch("field '" + name + "'", "no such field", "a field of class " + expected.getValue());
            }
            Map<String, Object> type = types.getOrDefault(String.valueOf(field.get("type")), Map.of());
            String typeClass = shortClass(String.valueOf(type.get("class")));
            if (!typeClass.equals(expected.getValue())) {
                throw mismatch("field '" + name + "'", "type " + field.get("type") + " (" + typeClass + ")",
                        "class " + expected.getValue());
            }
            if (name.equals(VECTOR)) {
                String dimension = String.valueOf(type.get("vectorDimension"));
                if (!dimension.equals(Integer.toString(config.dimension()))) {
                    throw mismatch("field '" + name + "'", "vectorDimension " + dimension, "vectorDimension "
                            + config.dimension() + " (the embedding model's)");
                }
                String similarity = String.valueOf(type.getOrDefault("similarityFunction", "euclidean"));
                if (!similarity.equalsIgnoreCase("cosine")) {
                    throw mismatch("field '" + name + "'", "similarityFunction " + similarity, "similarityFunction cosine");
                }
            }
        }
    }

    private IllegalStateException mismatch(String what, String has, String needs) {
        return new IllegalStateException("Solr collection '" + collection + "' does not match this service: " + what
                + " has " + has + "; this service needs " + needs
                + ". Use another collection (datastorage.index.solr.collection) or recreate this one");
    }

    private static String shortClass(String className) {
        return className.startsWith("org.apache.solr.schema.") ? "solr." + className.substring("org.apache.solr.schema.".length())
                : className;
    }

    private static Map<String, String> fieldClasses() {
        Map<String, String> classes = new LinkedHashMap<>();
        for (String field : List.of(ID, DOC_TYPE, KIND, NAMESPACE, PHASE, CHECKSUM, VECTOR_KEY)) {
            classes.put(field, "solr.StrField");
        }
        for (String field : List.of(CREATED_AT, FINGERPRINT, WRITTEN_AT)) {
            classes.put(field, "solr.LongPointField");
        }
        classes.put(VECTOR, "solr.DenseVectorField");
        return Map.copyOf(classes);
    }

    /** The client of a ready collection; retries the start-up at most every {@value #RETRY_SECONDS} s. */
    private CloudSolrClient solr() {
        CloudSolrClient ready = client;
        if (ready != null) {
            return ready;
        }
        if (closed) {
            throw new IndexUnavailableException("Solr collection '" + collection + "': the index is closed", null);
        }
        if (System.nanoTime() - lastAttemptNanos >= TimeUnit.SECONDS.toNanos(RETRY_SECONDS) && bootstrapping.tryLock()) {
            try {
                if (client == null && !closed
                        && System.nanoTime() - lastAttemptNanos >= TimeUnit.SECONDS.toNanos(RETRY_SECONDS)) {
                    bootstrap(false);
                }
            } finally {
                bootstrapping.unlock();
            }
        }
        ready = client;
        if (ready == null) {
            throw new IndexUnavailableException(notReady, null);
        }
        return ready;
    }

    // ---------------------------------------------------------------- writes

    @Override
    public void upsert(List<IndexEntry> entries) {
        for (IndexEntry entry : entries) {
            VectorIndexes.checkEntry(entry, config.dimension());
        }
        if (entries.isEmpty()) {
            return;
        }
        call("upsert", solr -> {
            Map<String, float[]> vectors = new LinkedHashMap<>();
            List<SolrInputDocument> records = new ArrayList<>(entries.size());
            long writtenAt = clock.millis();
            for (IndexEntry entry : entries) {
                String key = VectorIndexes.vectorKey(entry.vector());
                vectors.putIfAbsent(key, entry.vector());
                records.add(recordDocument(entry, key, writtenAt));
            }
            Set<String> unknown = new HashSet<>();
            for (String key : vectors.keySet()) {
                if (present.getIfPresent(key) == null) {
                    unknown.add(key);
                }
            }
            Set<String> existing = existingVectors(solr, unknown);
            UpdateRequest update = new UpdateRequest();
            for (String key : unknown) {
                if (!existing.contains(key)) {
                    update.add(vectorDocument(key, vectors.get(key)));
                }
            }
            update.add(records);
            update.process(solr, collection);
            unknown.forEach(key -> present.put(key, Boolean.TRUE));
            return null;
        });
    }

    /** Which of these vector keys have a vector document, by real-time get (it sees writes not yet committed). */
    private Set<String> existingVectors(CloudSolrClient solr, Set<String> keys) throws SolrServerException, IOException {
        Set<String> existing = new HashSet<>();
        List<String> ids = keys.stream().map(key -> VECTOR_ID_PREFIX + key).toList();
        for (int from = 0; from < ids.size(); from += IDS_PER_REQUEST) {
            for (SolrDocument doc : realTimeGet(solr, ids.subList(from, Math.min(ids.size(), from + IDS_PER_REQUEST)), ID)) {
                String id = (String) doc.getFieldValue(ID);
                existing.add(id.substring(VECTOR_ID_PREFIX.length()));
            }
        }
        existing.forEach(key -> present.put(key, Boolean.TRUE));
        return existing;
    }

    private static SolrInputDocument recordDocument(IndexEntry entry, String key, long writtenAt) {
        IndexMetadata metadata = entry.metadata();
        SolrInputDocument doc = new SolrInputDocument();
        doc.addField(ID, entry.id().toString());
        doc.addField(DOC_TYPE, RECORD);
        doc.addField(KIND, metadata.kind().name());
        if (metadata.namespace() != null) {
            doc.addField(NAMESPACE, metadata.namespace());
        }
        if (metadata.phase() != null) {
            doc.addField(PHASE, metadata.phase());
        }
        doc.addField(CREATED_AT, toMicros(metadata.createdAt()));
        if (metadata.checksum() != null) {
            doc.addField(CHECKSUM, metadata.checksum());
        }
        doc.addField(FINGERPRINT, SliceDigest.fingerprint(metadata.checksum()));
        doc.addField(VECTOR_KEY, key);
        doc.addField(WRITTEN_AT, writtenAt);
        return doc;
    }

    private static SolrInputDocument vectorDocument(String key, float[] vector) {
        SolrInputDocument doc = new SolrInputDocument();
        doc.addField(ID, VECTOR_ID_PREFIX + key);
        doc.addField(DOC_TYPE, VECTOR_DOC);
        List<Float> values = new ArrayList<>(vector.length);
        for (float v : vector) {
            values.add(v);
        }
        doc.setField(VECTOR, values);
        return doc;
    }

    @Override
    public void delete(Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return;
        }
        call("delete", solr -> {
            new UpdateRequest().deleteById(ids.stream().map(UUID::toString).toList()).process(solr, collection);
            return null;
        });
    }

    // ---------------------------------------------------------------- search

    @Override
    public List<IndexHit> search(float[] vector, int k, IndexFilter filter) {
        VectorIndexes.checkQuery(vector, k, config.dimension());
        Objects.requireNonNull(filter, "filter");
        return call("search", solr -> {
            String ownKey = VectorIndexes.vectorKey(vector);
            Filter fqs = new Filter(filter);
            if (fqs.restricts()) {
                long matching = query(solr, fqs.params().set("q", "*:*").set("rows", 0)).getResults().getNumFound();
                if (matching == 0) {
                    return List.of();
                }
                if (matching <= selectiveFilter) {
                    return selectiveSearch(solr, vector, ownKey, k, fqs);
                }
            }
            return broadSearch(solr, vector, ownKey, k, fqs);
        });
    }

    /**
     * The keys of the vectors the matching records hold (a facet) pre-filter the kNN query: the
     * graph search considers only those vectors, so k hits come back whenever k records match.
     */
    private List<IndexHit> selectiveSearch(CloudSolrClient solr, float[] vector, String ownKey, int k, Filter filter)
            throws SolrServerException, IOException {
        ModifiableSolrParams facet = filter.params().set("q", "*:*").set("rows", 0).set("facet", true)
                .set("facet.field", VECTOR_KEY).set("facet.limit", -1).set("facet.mincount", 1).set("facet.sort", "index");
        FacetField keys = query(solr, facet).getFacetField(VECTOR_KEY);
        Map<String, Long> counts = new HashMap<>();
        if (keys != null && keys.getValues() != null) {
            keys.getValues().forEach(count -> counts.put(count.getName(), count.getCount()));
        }
        Hits hits = new Hits(k);
        List<String> wanted = new ArrayList<>();
        long covered = 0;
        if (counts.containsKey(ownKey)) {
            wanted.add(ownKey);
            covered += counts.get(ownKey);
        }
        List<ScoredKey> ranked = List.of();
        List<String> others = counts.keySet().stream().filter(key -> !key.equals(ownKey)).sorted().toList();
        if (covered < k && !others.isEmpty()) {
            int candidates = Math.min(others.size(), Math.max(k, MIN_CANDIDATES));
            ModifiableSolrParams knn = knnParams(vector, candidates);
            knn.add("fq", "{!terms f=" + ID + " cache=false}" + String.join(",",
                    others.stream().map(key -> VECTOR_ID_PREFIX + key).toList()));
            ranked = scoredKeys(query(solr, knn));
            for (ScoredKey hit : ranked) {
                if (covered >= k) {
                    break;
                }
                wanted.add(hit.key());
                covered += counts.getOrDefault(hit.key(), 0L);
            }
        }
        Map<String, KeyRecords> records = expand(solr, wanted, filter, k);
        hits.addKey(records.get(ownKey), 1.0);
        for (ScoredKey hit : ranked) {
            hits.addKey(records.get(hit.key()), hit.score());
        }
        return hits.list();
    }

    /**
     * No filter or a broad one: kNN over every vector document, each hit expanded into its
     * matching records; twice as many vectors until k records are found or every vector was seen.
     */
    private List<IndexHit> broadSearch(CloudSolrClient solr, float[] vector, String ownKey, int k, Filter filter)
            throws SolrServerException, IOException {
        Map<String, KeyRecords> records = new HashMap<>();
        int candidates = Math.max(2 * k, MIN_CANDIDATES);
        while (true) {
            List<ScoredKey> ranked = scoredKeys(query(solr, knnParams(vector, candidates)));
            List<String> unexpanded = new ArrayList<>();
            if (!records.containsKey(ownKey)) {
                unexpanded.add(ownKey); // in the first round's expansion: one request fewer
            }
            ranked.stream().map(ScoredKey::key).filter(key -> !key.equals(ownKey) && !records.containsKey(key))
                    .forEach(unexpanded::add);
            Map<String, KeyRecords> expanded = expand(solr, unexpanded, filter, k);
            for (String key : unexpanded) {
                records.put(key, expanded.getOrDefault(key, KeyRecords.NONE));
            }
            Hits hits = new Hits(k);
            hits.addKey(records.get(ownKey), 1.0);
            for (ScoredKey hit : ranked) {
                if (!hit.key().equals(ownKey)) {
                    hits.addKey(records.get(hit.key()), hit.score());
                }
            }
            if (hits.full() || ranked.size() < candidates) {
                return hits.list();
            }
            candidates = Math.multiplyExact(candidates, 2);
        }
    }

    private static ModifiableSolrParams knnParams(float[] vector, int candidates) {
        StringBuilder q = new StringBuilder("{!knn f=").append(VECTOR).append(" topK=").append(candidates).append("}[");
        for (int i = 0; i < vector.length; i++) {
            q.append(i == 0 ? "" : ",").append(vector[i]);
        }
        ModifiableSolrParams params = new ModifiableSolrParams();
        params.set("q", q.append(']').toString());
        params.add("fq", DOC_TYPE + ":" + VECTOR_DOC);
        params.set("rows", candidates);
        params.set("fl", ID + ",score");
        return params;
    }

    /** Vector hits best first, cosine from Solr's (1 + cos) / 2. */
    private static List<ScoredKey> scoredKeys(QueryResponse response) {
        List<ScoredKey> keys = new ArrayList<>();
        for (SolrDocument doc : response.getResults()) {
            String id = (String) doc.getFieldValue(ID);
            double score = ((Number) doc.getFieldValue("score")).doubleValue();
            keys.add(new ScoredKey(id.substring(VECTOR_ID_PREFIX.length()), Math.max(-1, Math.min(1, 2 * score - 1))));
        }
        return keys;
    }

    /** For each key, its matching records (up to {@code perKey}, newest first) and how many match. */
    private Map<String, KeyRecords> expand(CloudSolrClient solr, List<String> keys, Filter filter, int perKey)
            throws SolrServerException, IOException {
        Map<String, KeyRecords> records = new HashMap<>();
        for (int from = 0; from < keys.size(); from += IDS_PER_REQUEST) {
            List<String> some = keys.subList(from, Math.min(keys.size(), from + IDS_PER_REQUEST));
            ModifiableSolrParams params = filter.params().set("q", "*:*").set("fl", ID)
                    .set("group", true).set("group.field", VECTOR_KEY).set("group.limit", perKey)
                    .set("group.sort", NEWEST_FIRST).set("rows", some.size());
            // One-off lists of keys: not worth a place in the filter cache.
            params.add("fq", "{!terms f=" + VECTOR_KEY + " cache=false}" + String.join(",", some));
            GroupCommand command = query(solr, params).getGroupResponse().getValues().getFirst();
            for (Group group : command.getValues()) {
                SolrDocumentList docs = group.getResult();
                List<UUID> ids = docs.stream().map(doc -> UUID.fromString((String) doc.getFieldValue(ID))).toList();
                records.put(group.getGroupValue(), new KeyRecords(docs.getNumFound(), ids));
            }
        }
        return records;
    }

    private record ScoredKey(String key, double score) {
    }

    private record KeyRecords(long count, List<UUID> newestFirst) {
        static final KeyRecords NONE = new KeyRecords(0, List.of());
    }

    /** Hits in order until k. */
    private static final class Hits {
        private final int k;
        private final List<IndexHit> hits = new ArrayList<>();

        Hits(int k) {
            this.k = k;
        }

        void addKey(KeyRecords records, double score) {
            if (records == null || records.count() == 0) {
                return;
            }
            for (UUID id : records.newestFirst()) {
                if (full()) {
                    return;
                }
                hits.add(new IndexHit(id, score, records.count()));
            }
        }

        boolean full() {
            return hits.size() >= k;
        }

        List<IndexHit> list() {
            return List.copyOf(hits);
        }
    }

    /** The filter as Solr filter queries on record documents; values travel as parameters, never escaped into queries. */
    private static final class Filter {
        private final List<String> fqs = new ArrayList<>();
        private final Map<String, String> values = new HashMap<>();
        private final boolean restricts;

        Filter(IndexFilter filter) {
            fqs.add(DOC_TYPE + ":" + RECORD);
            if (!filter.kinds().isEmpty()) {
                fqs.add("{!terms f=" + KIND + "}" + String.join(",", filter.kinds().stream().map(AuditKind::name).sorted().toList()));
            }
            if (filter.namespace() != null) {
                fqs.add("{!term f=" + NAMESPACE + " v=$filter.namespace}");
                values.put("filter.namespace", filter.namespace());
            }
            if (filter.phase() != null) {
                fqs.add("{!term f=" + PHASE + " v=$filter.phase}");
                values.put("filter.phase", filter.phase());
            }
            if (filter.since() != null || filter.until() != null) {
                String from = filter.since() == null ? "*" : Long.toString(toMicros(filter.since()));
                String to = filter.until() == null ? "*" : Long.toString(toMicros(filter.until()));
                fqs.add(CREATED_AT + ":[" + from + " TO " + to + "}");
            }
            restricts = fqs.size() > 1;
        }

        boolean restricts() {
            return restricts;
        }

        ModifiableSolrParams params() {
            ModifiableSolrParams params = new ModifiableSolrParams();
            fqs.forEach(fq -> params.add("fq", fq));
            values.forEach(params::set);
            return params;
        }
    }

    // ---------------------------------------------------------------- reads

    @Override
    public long count() {
        return call("count", solr -> query(solr, recordsParams().set("rows", 0)).getResults().getNumFound());
    }

    @Override
    public List<UUID> ids(UUID after, int limit) {
        if (limit < 1) {
            return List.of();
        }
        return call("ids", solr -> {
            ModifiableSolrParams params = recordsParams().set("rows", limit).set("fl", ID).set("sort", ID + " asc");
            if (after != null) {
                params.add("fq", ID + ":{\"" + after + "\" TO *]");
            }
            List<UUID> ids = new ArrayList<>();
            for (SolrDocument doc : query(solr, params).getResults()) {
                ids.add(UUID.fromString((String) doc.getFieldValue(ID)));
            }
            return ids;
        });
    }

    @Override
    public SliceDigest digest(int bits) {
        SliceDigest digest = new SliceDigest(bits);
        call("digest", solr -> {
            forEachFingerprint(solr, null, null, digest::add);
            return null;
        });
        return digest;
    }

    @Override
    public Map<UUID, Long> fingerprints(int slice, int bits) {
        String from = IdSlices.first(slice, bits).toString();
        String to = slice + 1 < IdSlices.count(bits) ? IdSlices.first(slice + 1, bits).toString() : null;
        Map<UUID, Long> fingerprints = new HashMap<>();
        call("fingerprints", solr -> {
            forEachFingerprint(solr, from, to, fingerprints::put);
            return null;
        });
        return fingerprints;
    }

    private interface FingerprintSink {
        void accept(UUID id, long fingerprint);
    }

    /** Pages with cursorMark over the ids in [from, to) (null: no bound), reading only id and fingerprint. */
    private void forEachFingerprint(CloudSolrClient solr, String from, String to, FingerprintSink sink)
            throws SolrServerException, IOException {
        ModifiableSolrParams params = recordsParams().set("rows", PAGE).set("fl", ID + "," + FINGERPRINT)
                .set("sort", ID + " asc");
        if (from != null || to != null) {
            params.add("fq", ID + ":[" + (from == null ? "*" : "\"" + from + "\"") + " TO "
                    + (to == null ? "*]" : "\"" + to + "\"}"));
        }
        String cursor = CursorMarkParams.CURSOR_MARK_START;
        while (true) {
            params.set(CursorMarkParams.CURSOR_MARK_PARAM, cursor);
            QueryResponse page = query(solr, params);
            for (SolrDocument doc : page.getResults()) {
                sink.accept(UUID.fromString((String) doc.getFieldValue(ID)), ((Number) doc.getFieldValue(FINGERPRINT)).longValue());
            }
            String next = page.getNextCursorMark();
            if (next == null || next.equals(cursor)) {
                return;
            }
            cursor = next;
        }
    }

    @Override
    public Optional<IndexEntry> get(UUID id) {
        return call("get", solr -> {
            SolrDocument record = realTimeGet(solr, List.of(id.toString()), RECORD_FIELDS).stream().findFirst().orElse(null);
            if (record == null || !(record.getFieldValue(VECTOR_KEY) instanceof String key)) {
                return Optional.empty();
            }
            SolrDocument vectorDoc = realTimeGet(solr, List.of(VECTOR_ID_PREFIX + key), ID + "," + VECTOR).stream()
                    .findFirst().orElse(null);
            if (vectorDoc == null) {
                // The record's document reached its shard, its vector's did not (a failed write);
                // the entry reads as absent and reconciliation writes it again, vector included.
                log.warn("Solr collection '{}' holds record {} without its vector {}", collection, id, key);
                return Optional.empty();
            }
            return Optional.of(new IndexEntry(id, vector(vectorDoc.getFieldValues(VECTOR)), metadata(record)));
        });
    }

    private static IndexMetadata metadata(SolrDocument doc) {
        return new IndexMetadata(AuditKind.valueOf((String) doc.getFieldValue(KIND)), (String) doc.getFieldValue(NAMESPACE),
                (String) doc.getFieldValue(PHASE), fromMicros(((Number) doc.getFieldValue(CREATED_AT)).longValue()),
                (String) doc.getFieldValue(CHECKSUM));
    }

    private static float[] vector(Collection<Object> values) {
        float[] vector = new float[values.size()];
        int i = 0;
        for (Object value : values) {
            vector[i++] = ((Number) value).floatValue();
        }
        return vector;
    }

    /** Read by real-time get of each record document's write time. */
    @Override
    public Map<UUID, Instant> writtenAt(Collection<UUID> ids) {
        List<String> keys = ids.stream().map(UUID::toString).distinct().toList();
        return call("writtenAt", solr -> {
            Map<UUID, Instant> times = new HashMap<>();
            for (int from = 0; from < keys.size(); from += IDS_PER_REQUEST) {
                for (SolrDocument doc : realTimeGet(solr, keys.subList(from, Math.min(keys.size(), from + IDS_PER_REQUEST)),
                        ID + "," + WRITTEN_AT + "," + DOC_TYPE)) {
                    if (RECORD.equals(doc.getFieldValue(DOC_TYPE)) && doc.getFieldValue(WRITTEN_AT) instanceof Number millis) {
                        times.put(UUID.fromString((String) doc.getFieldValue(ID)), Instant.ofEpochMilli(millis.longValue()));
                    }
                }
            }
            return times;
        });
    }

    /** A soft commit: what has been written becomes searchable now. */
    @Override
    public void refresh() {
        call("refresh", solr -> solr.commit(collection, true, true, true));
    }

    /** Every call reaches Solr over the network. */
    @Override
    public boolean remote() {
        return true;
    }

    /** Up when the collection answers a query within the timeout. */
    @Override
    public IndexHealth health() {
        try {
            long records = count();
            return IndexHealth.up("Solr collection '" + collection + "' answers (" + records + " entries)");
        } catch (IndexUnavailableException e) {
            return IndexHealth.down(e.getMessage());
        }
    }

    @Override
    public int dimension() {
        return config.dimension();
    }

    @Override
    public void close() {
        closed = true;
        CloudSolrClient open = client;
        client = null;
        if (open != null) {
            closeQuietly(open);
        }
        httpThreads.shutdownNow();
    }

    // ---------------------------------------------------------------- plumbing

    private ModifiableSolrParams recordsParams() {
        ModifiableSolrParams params = new ModifiableSolrParams();
        params.set("q", "*:*");
        params.add("fq", DOC_TYPE + ":" + RECORD);
        return params;
    }

    /**
     * Real-time get (Solr's {@code /get}: the latest version of each document, committed or not,
     * from whichever shard holds it) by POST, so that a batch's ids do not outgrow a URL.
     */
    private SolrDocumentList realTimeGet(CloudSolrClient solr, List<String> ids, String fields)
            throws SolrServerException, IOException {
        ModifiableSolrParams params = new ModifiableSolrParams().set("ids", String.join(",", ids)).set("fl", fields);
        QueryRequest get = new QueryRequest(params, SolrRequest.METHOD.POST);
        get.setPath("/get");
        SolrDocumentList docs = get.process(solr, collection).getResults();
        return docs == null ? new SolrDocumentList() : docs;
    }

    /** Queries go by POST: a selective filter's keys can be many. */
    private QueryResponse query(CloudSolrClient solr, ModifiableSolrParams params) throws SolrServerException, IOException {
        return new QueryRequest(params, SolrRequest.METHOD.POST).process(solr, collection);
    }

    private interface SolrCall<T> {
        T call(CloudSolrClient solr) throws SolrServerException, IOException;
    }

    private <T> T call(String operation, SolrCall<T> call) {
        CloudSolrClient solr = solr();
        try {
            return Retry.decorateCheckedSupplier(leaderChange, () -> call.call(solr)).get();
        } catch (SolrServerException | IOException | SolrException | UncheckedIOException e) {
            throw new IndexUnavailableException("Solr collection '" + collection + "': " + operation + " failed: "
                    + e.getMessage(), e);
        } catch (IndexUnavailableException | IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            // The cloud client fails with plain runtime exceptions when no node answers at all
            // ("Tried fetching cluster state using the node names we knew of"); the arguments were
            // checked before the call, so anything else from Solr means the index cannot answer.
            throw new IndexUnavailableException("Solr collection '" + collection + "': " + operation + " failed: "
                    + e.getMessage(), e);
        } catch (Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("Solr collection '" + collection + "': " + operation + " failed", e);
        }
    }

    /**
     * Whether a failed call may pass if tried again at once: a live Solr node's 500 or 503 while a
     * shard changes leaders. Nothing else: not a 4xx (the request is wrong), not a timeout (a hung
     * node would hold a write for several timeouts), and not a node that cannot be reached or a
     * cluster with no live node (the client's own errors): with every node down, each retry only
     * lengthens every write until the circuit breaker opens (seen in the cluster test that stops
     * every node: writes outlived their deadline).
     */
    static boolean passesOnRetry(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof HttpTimeoutException || cause instanceof InterruptedIOException) {
                return false;
            }
        }
        if (failure instanceof CloudSolrClient.RouteException route) {
            // An update's failures per shard, wrapped with code 500 whatever they were (a refused
            // connection included): retried only when every shard's failure is a live node's answer.
            List<Throwable> causes = new ArrayList<>();
            route.getThrowables().forEach(entry -> causes.add(entry.getValue()));
            return !causes.isEmpty() && causes.stream().allMatch(cause -> !(cause instanceof CloudSolrClient.RouteException)
                    && passesOnRetry(cause));
        }
        return failure instanceof SolrException solr
                && (solr.code() == SolrException.ErrorCode.SERVER_ERROR.code
                || solr.code() == SolrException.ErrorCode.SERVICE_UNAVAILABLE.code);
    }

    private static void closeQuietly(CloudSolrClient solr) {
        try {
            solr.close();
        } catch (RuntimeException e) {
            log.debug("Closing a Solr client failed", e);
        }
    }

    private static long toMicros(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
    }

    private static Instant fromMicros(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    @Override
    public String toString() {
        return "SolrVectorIndex[" + collection + " at " + config.solrUrls() + ", " + config.dimension() + " dimensions]";
    }
}
