package io.datastorage.index.lucene;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.index.CrashRecovery;
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
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene103.Lucene103Codec;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.MultiBits;
import org.apache.lucene.index.MultiTerms;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.ConjunctionUtils;
import org.apache.lucene.search.ControlledRealTimeReopenThread;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.FieldExistsQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ReferenceManager;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopFieldCollectorManager;
import org.apache.lucene.search.TopFieldDocs;
import org.apache.lucene.search.TotalHits;
import org.apache.lucene.search.VectorScorer;
import org.apache.lucene.search.Weight;
import org.apache.lucene.store.AlreadyClosedException;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.FixedBitSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiConsumer;

/**
 * The embedded vector index: Lucene 10 under a directory of its own, with two kinds of document.
 * A <b>vector document</b> holds one distinct vector (its {@link VectorIndexes#vectorKey key} and
 * the vector in an HNSW graph, cosine similarity); a <b>record document</b> holds a record's id,
 * its metadata in indexed fields and the key of its vector. Records whose embedded texts are equal
 * share one vector document, so the graph has one node per distinct vector: thousands of records
 * repeating one text no longer form a crowd of identical nodes that the graph search cannot get
 * out of (with one node per record, a record next to 2,000 duplicates was unreachable without a
 * filter; issue 14).
 *
 * <ul>
 *   <li><b>Upsert</b> adds the vector document when its key is new, then {@code updateDocument}
 *       on the id term, so an id has at most one record document. Whether a key is new is read
 *       from a bounded cache of keys known present ({@link #present}), else from the current
 *       searcher plus the keys added since it opened ({@link #pending}).</li>
 *   <li><b>Delete</b> removes record documents; a vector document left without records (an
 *       orphan) is skipped by searches and removed by a sweep ({@link #sweepOrphans}) before the
 *       next periodic commit. A record re-written with another vector can orphan its old one
 *       too; as that is rare and harmless, a sweep for it runs every {@link #SWEEP_INTERVAL}.
 *       Writes wait only while the sweep confirms and deletes the orphans it found.</li>
 *   <li><b>Visibility</b>: a near-real-time searcher reopened by Lucene's
 *       {@link ControlledRealTimeReopenThread} at most {@value #MAX_STALE_SECONDS} s after a change.</li>
 *   <li><b>Search</b>: the filter selects record documents; the keys of their vectors become the
 *       pre-filter of a {@link KnnFloatVectorQuery} over vector documents (so Lucene only considers
 *       vectors some matching record holds, and searches them exactly when few match); up to
 *       {@value #EXACT_BELOW} distinct vectors, an exact scan replaces the graph search. A filter
 *       matching at least half the records is applied after the graph search instead, to the
 *       records of the vectors found, asking the graph for more until k records match. Each vector
 *       hit, best first, is expanded into its matching records, newest {@code createdAt} first
 *       then the greater id, with their count, until k records. The query vector's own key is
 *       looked up first, so a record whose vector is bitwise the query's (the same text through a
 *       deterministic model) is always the first hit. Lucene scores cosine as (1 + cos) / 2; hits carry cos.</li>
 *   <li><b>Durability</b>: a commit every {@code commitInterval} when something changed, and on
 *       close. Each commit stores the instant it started in its user data ({@value #DURABLE_AS_OF});
 *       {@link #recoveredAsOf()} is the value found at open, so after a restart the caller knows
 *       from when to replay records into the index, however soon new commits follow.</li>
 *   <li><b>Reconciliation</b>: each record's 64-bit fingerprint is a numeric doc value, so
 *       {@link #digest} and {@link #fingerprints} walk the id terms and read doc values in doc
 *       order, without touching vectors or stored fields. Each record document stores when it was
 *       written ({@link #writtenAt}, by this index's clock), which the fingerprint leaves out; a
 *       document written before that was kept has none and counts as old. Only this process
 *       writes the index, so what earlier processes wrote is settled
 *       ({@link #writesSettledBefore}).</li>
 *   <li><b>Layout upgrade</b>: an index written with one vector per record document (before the
 *       layout was recorded as {@value #LAYOUT} in the commit user data) is rewritten at open.</li>
 * </ul>
 * Lucene failures surface as {@link IndexUnavailableException}; a writer that hit a tragic error
 * (disk full, corruption) reports the index down in {@link #health()}.
 */
public final class LuceneVectorIndex implements VectorIndex, CrashRecovery {
    private static final Logger log = LoggerFactory.getLogger(LuceneVectorIndex.class);

    static final double MAX_STALE_SECONDS = 0.5;
    /** Candidates the HNSW search keeps while walking the graph, at least. */
    static final int MIN_CANDIDATES = 100;
    static final String DURABLE_AS_OF = "datastorage.durableAsOf";
    /** Commit user data naming the document layout; absent in an index with a vector per record. */
    static final String LAYOUT = "datastorage.layout";
    static final String DISTINCT_VECTORS = "distinct-vectors";
    // Record documents.
    private static final String ID = "id";
    private static final String KIND = "kind";
    private static final String NAMESPACE = "namespace";
    private static final String PHASE = "phase";
    private static final String CREATED_AT = "createdAt";
    private static final String CHECKSUM = "checksum";
    private static final String FINGERPRINT = "fingerprint";
    private static final String VECTOR_KEY = "vectorKey";
    /** When the record document was written, in microseconds; absent in documents written before issue 15. */
    private static final String WRITTEN_AT = "writtenAt";
    // Doc values of id and createdAt under names of their own: a field's schema is fixed for the
    // life of an index, and those fields had none in the first layout.
    private static final String ID_ORDER = "idOrder";
    private static final String CREATED_AT_ORDER = "createdAtOrder";
    // Vector documents.
    private static final String VECTOR_OF = "vectorOf";
    private static final String VECTOR = "vector";
    /** Records sharing a vector: newest first, then the greater id first (the contract's order, the listing's). */
    private static final Sort NEWEST_FIRST = new Sort(new SortField(CREATED_AT_ORDER, SortField.Type.LONG, true),
            new SortField(ID_ORDER, SortField.Type.STRING, true));
    private static final int KEY_LOCKS = 64;
    /**
     * A filter matching at least this fraction of the records is applied to the records of the
     * vectors found, not as the graph search's pre-filter (see {@link #search}).
     */
    static final double BROAD_FILTER = 0.5;
    /**
     * Up to this many distinct vectors, the nearest are found by an exact scan, not the graph. A
     * graph this small gains little (the scan of 384-dimensional vectors costs about 0.18 µs each
     * on the 2-core development machine: 13,000 took 2.4 ms at p50 where the graph took 1.6), and a
     * tight cluster of near-identical vectors (texts differing by a pod name) can leave other nodes
     * poorly connected: a tester's 1,500 such vectors hid the second-best vector from the graph
     * search in two builds out of five.
     */
    static final int EXACT_BELOW = 5_000;
    /** Vector keys remembered as present, so that a recurring text's writes skip the lookup. */
    private static final int KNOWN_VECTORS = 100_000;
    /** How often upserts alone (no delete) lead to a sweep. */
    static final Duration SWEEP_INTERVAL = Duration.ofHours(1);

    private final Path path;
    /** {@link #EXACT_BELOW}; tests lower it to search small indexes through the graph. */
    private final int exactBelow;
    private final int dimension;
    private final Clock clock;
    private final Directory directory;
    private final IndexWriter writer;
    private final SearcherManager searchers;
    private final ControlledRealTimeReopenThread<IndexSearcher> reopener;
    /** How long {@link #close()} waits for a periodic commit under way. */
    private static final Duration COMMIT_WAIT = Duration.ofSeconds(30);
    private final ScheduledExecutorService committer;
    private final Instant recoveredAsOf;
    /** When this process opened the index: every earlier write was another process's, and is over. */
    private final Instant openedAt;
    private volatile Instant durableAsOf;
    /**
     * Writes (upsert, delete) hold it shared; the orphan sweep holds it exclusively, so no write
     * can decide a vector document exists while the sweep removes it.
     */
    private final ReentrantReadWriteLock writes = new ReentrantReadWriteLock();
    /** Serialises the check-then-add of one vector key (striped by key). */
    private final ReentrantLock[] keyLocks = new ReentrantLock[KEY_LOCKS];
    /**
     * Vector keys added since the searcher opened, with the sequence number of their addition: a
     * refresh removes those added before it began, which its new searcher shows.
     */
    private final ConcurrentHashMap<String, Long> pending = new ConcurrentHashMap<>();
    private final AtomicLong additions = new AtomicLong();
    /**
     * Keys whose vector document exists (visible or pending), at most {@value #KNOWN_VECTORS}: a
     * sweep forgets the keys it deletes while writes wait, so a key found here is never stale.
     */
    private final Cache<String, Boolean> present = Caffeine.newBuilder().maximumSize(KNOWN_VECTORS).build();
    /** Some record document was deleted since the last sweep: orphans may exist. */
    private volatile boolean sweepNeeded;
    /** Some upsert happened since the last sweep (it may have replaced a record's vector). */
    private volatile boolean upsertedSinceSweep;
    private volatile Instant lastSweep;

    private LuceneVectorIndex(Path path, int dimension, Duration commitInterval, Clock clock, int exactBelow)
            throws IOException {
        this.path = path;
        this.exactBelow = exactBelow;
        this.dimension = dimension;
        this.clock = clock;
        this.openedAt = clock.instant();
        for (int i = 0; i < KEY_LOCKS; i++) {
            keyLocks[i] = new ReentrantLock();
        }
        this.directory = FSDirectory.open(path);
        Map<String, String> committed = DirectoryReader.indexExists(directory)
                ? SegmentInfos.readLatestCommit(directory).getUserData() : Map.of();
        this.recoveredAsOf = committed.containsKey(DURABLE_AS_OF) ? Instant.parse(committed.get(DURABLE_AS_OF)) : null;
        this.durableAsOf = recoveredAsOf;
        this.writer = new IndexWriter(directory, new IndexWriterConfig()
                .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
                .setCodec(new Lucene103Codec() {
                    private final KnnVectorsFormat vectors = new HighDimensionHnswFormat();

                    @Override
                    public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                        return vectors;
                    }
                }));
        if (!DISTINCT_VECTORS.equals(committed.get(LAYOUT))) {
            try {
                upgradeLayout();
            } catch (IOException | RuntimeException e) {
                // Release the write lock, so that the next open can try again.
                writer.rollback();
                directory.close();
                throw e;
            }
        }
        this.searchers = new SearcherManager(writer, null);
        this.searchers.addListener(new ReferenceManager.RefreshListener() {
            private long before;

            @Override
            public void beforeRefresh() {
                before = additions.get();
            }

            @Override
            public void afterRefresh(boolean didRefresh) {
                long visible = before;
                pending.values().removeIf(sequence -> sequence <= visible);
            }
        });
        // Orphans a crash left before its sweep: the first periodic commit removes them.
        this.sweepNeeded = true;
        this.lastSweep = clock.instant();
        this.reopener = new ControlledRealTimeReopenThread<>(writer, searchers, MAX_STALE_SECONDS, 0.05);
        this.reopener.setName("lucene-reopen");
        this.reopener.setDaemon(true);
        this.reopener.start();
        this.committer = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform()
                .name("lucene-commit").daemon().unstarted(r));
        long millis = commitInterval.toMillis();
        this.committer.scheduleWithFixedDelay(this::commitQuietly, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** Opens (or creates) the index in {@code path}. */
    public static LuceneVectorIndex open(Path path, int dimension, Duration commitInterval) {
        return open(path, dimension, commitInterval, Clock.systemUTC());
    }

    static LuceneVectorIndex open(Path path, int dimension, Duration commitInterval, Clock clock) {
        return open(path, dimension, commitInterval, clock, EXACT_BELOW);
    }

    /** With {@code exactBelow} 0, every search goes through the graph however small the index. */
    static LuceneVectorIndex open(Path path, int dimension, Duration commitInterval, Clock clock, int exactBelow) {
        if (dimension < 1 || dimension > 4096) {
            throw new IllegalArgumentException("dimension must be 1..4096, was " + dimension);
        }
        if (commitInterval.isNegative() || commitInterval.isZero()) {
            throw new IllegalArgumentException("commitInterval must be positive, was " + commitInterval);
        }
        try {
            return new LuceneVectorIndex(path, dimension, commitInterval, clock, exactBelow);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the Lucene index in " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Rewrites an index whose record documents hold their own vectors (the layout before issue
     * 14) into the distinct-vector layout, then commits it with its layout named. A crash part way
     * leaves the last commit as it was, and the next open starts again. The durable-as-of instant
     * is kept: the rewrite adds nothing a replay would need. It holds the distinct vectors' keys in
     * memory (about 100 bytes each) while it runs.
     */
    private void upgradeLayout() throws IOException {
        int rewritten = 0;
        try (DirectoryReader reader = DirectoryReader.open(writer)) {
            Set<String> added = new HashSet<>();
            for (LeafReaderContext leaf : reader.leaves()) {
                FloatVectorValues vectors = leaf.reader().getFloatVectorValues(VECTOR);
                if (vectors == null) {
                    continue;
                }
                Bits live = leaf.reader().getLiveDocs();
                StoredFields stored = leaf.reader().storedFields();
                KnnVectorValues.DocIndexIterator iterator = vectors.iterator();
                for (int doc = iterator.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = iterator.nextDoc()) {
                    Document fields = stored.document(doc);
                    if ((live != null && !live.get(doc)) || fields.get(ID) == null) {
                        continue;
                    }
                    IndexEntry entry = new IndexEntry(UUID.fromString(fields.get(ID)),
                            vectors.vectorValue(iterator.index()).clone(), metadata(fields));
                    String key = VectorIndexes.vectorKey(entry.vector());
                    if (added.add(key)) {
                        writer.updateDocument(new Term(VECTOR_OF, key), vectorDocument(key, entry.vector()));
                    }
                    writer.updateDocument(new Term(ID, entry.id().toString()), recordDocument(entry, key));
                    rewritten++;
                }
            }
        }
        // The old documents' vectors stay in their segments' graphs until merged away.
        writer.forceMergeDeletes(true);
        Map<String, String> data = new HashMap<>();
        if (recoveredAsOf != null) {
            data.put(DURABLE_AS_OF, recoveredAsOf.toString());
        }
        data.put(LAYOUT, DISTINCT_VECTORS);
        writer.setLiveCommitData(data.entrySet());
        writer.commit();
        if (rewritten > 0) {
            log.info("Rewrote {} entries of the Lucene index in {} with one graph node per distinct vector", rewritten, path);
        }
    }

    @Override
    public void upsert(List<IndexEntry> entries) {
        entries.forEach(entry -> VectorIndexes.checkEntry(entry, dimension));
        if (!upsertedSinceSweep) {
            upsertedSinceSweep = true;
        }
        long writtenAt = toMicros(clock.instant());
        writes.readLock().lock();
        try {
            for (IndexEntry entry : entries) {
                String key = VectorIndexes.vectorKey(entry.vector());
                addVectorIfNew(key, entry.vector());
                Document record = recordDocument(entry, key);
                record.add(new StoredField(WRITTEN_AT, writtenAt));
                writer.updateDocument(new Term(ID, entry.id().toString()), record);
            }
        } catch (IOException | AlreadyClosedException e) {
            throw unavailable("upsert", e);
        } finally {
            writes.readLock().unlock();
        }
    }

    /**
     * Adds the vector document of {@code key} unless it is known present, the searcher shows it, or
     * it was added since the searcher opened. Pending is read before the searcher is acquired: a
     * key leaves pending only after a searcher that shows it is in place.
     */
    private void addVectorIfNew(String key, float[] vector) throws IOException {
        if (present.getIfPresent(key) != null) {
            return;
        }
        ReentrantLock lock = keyLocks[Math.floorMod(key.hashCode(), KEY_LOCKS)];
        lock.lock();
        try {
            if (present.getIfPresent(key) != null) {
                return;
            }
            boolean known = pending.containsKey(key);
            if (!known) {
                IndexSearcher searcher = searchers.acquire();
                try {
                    known = firstLiveDoc(searcher.getIndexReader(), VECTOR_OF, new BytesRef(key)) >= 0;
                } finally {
                    searchers.release(searcher);
                }
            }
            if (!known) {
                writer.updateDocument(new Term(VECTOR_OF, key), vectorDocument(key, vector));
                pending.put(key, additions.incrementAndGet());
            }
            present.put(key, Boolean.TRUE);
        } finally {
            lock.unlock();
        }
    }

    private static Document vectorDocument(String key, float[] vector) {
        Document doc = new Document();
        doc.add(new StringField(VECTOR_OF, key, Field.Store.YES));
        doc.add(new KnnFloatVectorField(VECTOR, vector, VectorSimilarityFunction.COSINE));
        return doc;
    }

    private static Document recordDocument(IndexEntry entry, String key) {
        IndexMetadata metadata = entry.metadata();
        Document doc = new Document();
        doc.add(new StringField(ID, entry.id().toString(), Field.Store.YES));
        doc.add(new SortedDocValuesField(ID_ORDER, new BytesRef(entry.id().toString())));
        doc.add(new StringField(VECTOR_KEY, key, Field.Store.NO));
        doc.add(new SortedDocValuesField(VECTOR_KEY, new BytesRef(key)));
        doc.add(new StringField(KIND, metadata.kind().name(), Field.Store.YES));
        if (metadata.namespace() != null) {
            doc.add(new StringField(NAMESPACE, metadata.namespace(), Field.Store.YES));
        }
        if (metadata.phase() != null) {
            doc.add(new StringField(PHASE, metadata.phase(), Field.Store.YES));
        }
        long createdAt = toMicros(metadata.createdAt());
        doc.add(new LongPoint(CREATED_AT, createdAt));
        doc.add(new StoredField(CREATED_AT, createdAt));
        doc.add(new NumericDocValuesField(CREATED_AT_ORDER, createdAt));
        if (metadata.checksum() != null) {
            doc.add(new StoredField(CHECKSUM, metadata.checksum()));
        }
        doc.add(new NumericDocValuesField(FINGERPRINT, SliceDigest.fingerprint(metadata.checksum())));
        return doc;
    }

    private static IndexMetadata metadata(Document fields) {
        return new IndexMetadata(AuditKind.valueOf(fields.get(KIND)), fields.get(NAMESPACE), fields.get(PHASE),
                fromMicros(fields.getField(CREATED_AT).numericValue().longValue()), fields.get(CHECKSUM));
    }

    @Override
    public void delete(Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return;
        }
        writes.readLock().lock();
        try {
            writer.deleteDocuments(ids.stream().map(id -> new Term(ID, id.toString())).toArray(Term[]::new));
            sweepNeeded = true;
        } catch (IOException | AlreadyClosedException e) {
            throw unavailable("delete", e);
        } finally {
            writes.readLock().unlock();
        }
    }

    /**
     * Removes vector documents no record document holds any more, in two phases. First, while
     * writes go on, the candidates: vectors no record holds in a fresh searcher. Then, while writes
     * wait, each candidate is checked again after a blocking refresh (every write made so far is
     * visible, so a vector a new record took is kept), the orphans are deleted and forgotten by
     * {@link #present}, and a refresh makes no write able to see a removed vector as present.
     *
     * @return how many vector documents were removed
     */
    int sweepOrphans() throws IOException {
        sweepNeeded = false;
        upsertedSinceSweep = false;
        lastSweep = clock.instant();
        searchers.maybeRefreshBlocking();
        List<BytesRef> candidates = new ArrayList<>();
        IndexSearcher searcher = searchers.acquire();
        try {
            Set<BytesRef> held = vectorKeys(searcher, null);
            for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
                Terms terms = leaf.reader().terms(VECTOR_OF);
                if (terms == null) {
                    continue;
                }
                TermsEnum keys = terms.iterator();
                for (BytesRef key = keys.next(); key != null; key = keys.next()) {
                    if (!held.contains(key)) {
                        candidates.add(BytesRef.deepCopyOf(key));
                    }
                }
            }
        } finally {
            searchers.release(searcher);
        }
        if (candidates.isEmpty()) {
            return 0;
        }
        writes.writeLock().lock();
        try {
            searchers.maybeRefreshBlocking();
            List<Term> orphans = new ArrayList<>();
            searcher = searchers.acquire();
            try {
                for (BytesRef key : candidates) {
                    if (firstLiveDoc(searcher.getIndexReader(), VECTOR_KEY, key) < 0) {
                        orphans.add(new Term(VECTOR_OF, key));
                    }
                }
            } finally {
                searchers.release(searcher);
            }
            if (!orphans.isEmpty()) {
                writer.deleteDocuments(orphans.toArray(Term[]::new));
                orphans.forEach(orphan -> {
                    present.invalidate(orphan.text());
                    pending.remove(orphan.text());
                });
                searchers.maybeRefreshBlocking();
            }
            return orphans.size();
        } finally {
            writes.writeLock().unlock();
        }
    }

    @Override
    public List<IndexHit> search(float[] vector, int k, IndexFilter filter) {
        VectorIndexes.checkQuery(vector, k, dimension);
        return withSearcher("search", searcher -> {
            Query records = filterQuery(filter);
            Set<BytesRef> allowed = null;
            Query vectors = null;
            int firstWanted = k;
            if (records != null) {
                long matching = searcher.count(records);
                if (matching == 0) {
                    return List.of();
                }
                long total = recordDocuments(searcher);
                if (matching < total * BROAD_FILTER) {
                    allowed = vectorKeys(searcher, records);
                    vectors = new TermInSetQuery(VECTOR_OF, allowed);
                } else {
                    // A broad filter: most vectors have a matching record, and collecting their keys
                    // would cost more than the search. The graph is searched unfiltered and the
                    // expansion applies the filter; vectors without a matching record are skipped.
                    firstWanted = (int) Math.min(Integer.MAX_VALUE / 4, Math.ceilDiv(k * total, matching));
                }
            }
            List<IndexHit> hits = new ArrayList<>(k);
            Set<String> expanded = new HashSet<>();
            List<String> keys = new ArrayList<>();
            List<Double> scores = new ArrayList<>();
            // The query's own vector, if some record holds it exactly: first, whatever the graph does.
            String exact = VectorIndexes.vectorKey(vector);
            if ((allowed == null || allowed.contains(new BytesRef(exact)))
                    && firstLiveDoc(searcher.getIndexReader(), VECTOR_OF, new BytesRef(exact)) >= 0) {
                expanded.add(exact);
                keys.add(exact);
                scores.add(1.0);
            }
            StoredFields stored = searcher.storedFields();
            // Each vector document found has at least one record passing the filter, unless it is an
            // orphan or the filter is broad and applied after the graph search: then ask for more.
            boolean exactly = vectorDocuments(searcher) <= exactBelow;
            for (int vectorsWanted = firstWanted; ; vectorsWanted *= 2) {
                int candidates = Math.max(vectorsWanted, MIN_CANDIDATES);
                // The graph is explored with at least MIN_CANDIDATES candidates, whatever k: with k
                // alone a small k walks a narrow beam and misses neighbours an exact scan finds.
                TopDocs top = exactly ? nearestExactly(searcher, vector, vectors, vectorsWanted)
                        : searcher.search(new KnnFloatVectorQuery(VECTOR, vector, candidates, vectors), vectorsWanted);
                for (ScoreDoc scoreDoc : top.scoreDocs) {
                    String key = stored.document(scoreDoc.doc, Set.of(VECTOR_OF)).get(VECTOR_OF);
                    if (expanded.add(key)) {
                        keys.add(key);
                        scores.add(Math.max(-1, Math.min(1, 2.0 * scoreDoc.score - 1)));
                    }
                }
                expand(searcher, keys, scores, records, k, hits);
                if (hits.size() >= k || top.scoreDocs.length < vectorsWanted) {
                    return hits;
                }
                keys.clear();
                scores.clear();
            }
        });
    }

    /**
     * Record documents, deleted ones not yet merged away included: enough to tell a broad filter,
     * read from each segment's term statistics rather than by visiting every record.
     */
    private static long recordDocuments(IndexSearcher searcher) throws IOException {
        long count = 0;
        for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
            Terms ids = leaf.reader().terms(ID);
            count += ids == null ? 0 : ids.getDocCount();
        }
        return count;
    }

    /** Vector documents, deleted ones not yet merged away included (what an exact scan reads). */
    private static long vectorDocuments(IndexSearcher searcher) throws IOException {
        long count = 0;
        for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
            FloatVectorValues values = leaf.reader().getFloatVectorValues(VECTOR);
            count += values == null ? 0 : values.size();
        }
        return count;
    }

    /**
     * The n vector documents nearest to {@code vector} by an exact scan (Lucene's vector scorer,
     * which uses the CPU's vector instructions), restricted to {@code filter} when given. Scores
     * as the graph search scores: (1 + cos) / 2.
     */
    private static TopDocs nearestExactly(IndexSearcher searcher, float[] vector, Query filter, int n) throws IOException {
        PriorityQueue<ScoreDoc> best = new PriorityQueue<>(n + 1, Comparator.comparingDouble((ScoreDoc d) -> d.score));
        Weight accepted = filter == null ? null
                : searcher.createWeight(searcher.rewrite(filter), ScoreMode.COMPLETE_NO_SCORES, 1);
        for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
            FloatVectorValues values = leaf.reader().getFloatVectorValues(VECTOR);
            VectorScorer scorer = values == null ? null : values.scorer(vector);
            Scorer filterScorer = accepted == null ? null : accepted.scorer(leaf);
            if (scorer == null || (accepted != null && filterScorer == null)) {
                continue;
            }
            DocIdSetIterator docs = filterScorer == null ? scorer.iterator()
                    : ConjunctionUtils.intersectIterators(List.of(scorer.iterator(), filterScorer.iterator()));
            Bits live = leaf.reader().getLiveDocs();
            for (int doc = docs.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = docs.nextDoc()) {
                if (live == null || live.get(doc)) {
                    best.add(new ScoreDoc(leaf.docBase + doc, scorer.score()));
                    if (best.size() > n) {
                        best.poll();
                    }
                }
            }
        }
        ScoreDoc[] top = new ScoreDoc[best.size()];
        for (int i = top.length - 1; i >= 0; i--) {
            top[i] = best.poll();
        }
        return new TopDocs(new TotalHits(top.length, TotalHits.Relation.EQUAL_TO), top);
    }

    /**
     * Adds to {@code hits}, up to k in all, the records holding each vector of {@code keys} (in
     * that order) that pass the filter ({@code records}, null: all), newest first, each with the
     * count of its vector's holders. The holders are counted first, keeping the only holder of a
     * key held once (the common case); a key held more often is expanded in order by a sorted query
     * of its own.
     */
    private static void expand(IndexSearcher searcher, List<String> keys, List<Double> scores, Query records, int k,
                               List<IndexHit> hits) throws IOException {
        if (keys.isEmpty()) {
            return;
        }
        long[] counts = new long[keys.size()];
        int[] holder = new int[keys.size()];
        if (records == null) {
            countAllHolders(searcher, keys, counts, holder);
        } else {
            countMatchingHolders(searcher, keys, records, counts, holder);
        }
        StoredFields stored = searcher.storedFields();
        for (int i = 0; i < keys.size() && hits.size() < k; i++) {
            if (counts[i] == 1) {
                hits.add(new IndexHit(UUID.fromString(stored.document(holder[i], Set.of(ID)).get(ID)), scores.get(i), 1));
            } else if (counts[i] > 1) {
                int wanted = k - hits.size();
                TopFieldDocs newest = searcher.search(holders(new TermQuery(new Term(VECTOR_KEY, keys.get(i))), records),
                        new TopFieldCollectorManager(NEWEST_FIRST, wanted, null, wanted));
                for (ScoreDoc doc : newest.scoreDocs) {
                    hits.add(new IndexHit(UUID.fromString(stored.document(doc.doc, Set.of(ID)).get(ID)), scores.get(i),
                            counts[i]));
                }
            }
        }
    }

    /**
     * Unfiltered: a key's holders are the documents of its term, counted from the term's document
     * frequency in a segment without deletions (no iteration over the 10,000 records of a
     * recurring text).
     */
    private static void countAllHolders(IndexSearcher searcher, List<String> keys, long[] counts, int[] holder)
            throws IOException {
        for (int i = 0; i < keys.size(); i++) {
            counts[i] = searcher.count(new TermQuery(new Term(VECTOR_KEY, keys.get(i))));
            if (counts[i] == 1) {
                holder[i] = firstLiveDoc(searcher.getIndexReader(), VECTOR_KEY, new BytesRef(keys.get(i)));
            }
        }
    }

    /** Filtered: one pass over the holders of every key that pass the filter. */
    private static void countMatchingHolders(IndexSearcher searcher, List<String> keys, Query records, long[] counts,
                                             int[] holder) throws IOException {
        Map<BytesRef, Integer> positions = new HashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            positions.put(new BytesRef(keys.get(i)), i);
        }
        forEachHolder(searcher, holders(new TermInSetQuery(VECTOR_KEY, positions.keySet()), records), new HolderVisitor() {
            private final Map<Integer, Integer> positionOfOrd = new HashMap<>();

            @Override
            public void leaf(LeafReaderContext leaf, SortedDocValues values) {
                positionOfOrd.clear();
            }

            @Override
            public void holder(LeafReaderContext leaf, int doc, SortedDocValues values) throws IOException {
                int ord = values.ordValue();
                Integer position = positionOfOrd.get(ord);
                if (position == null) {
                    position = positions.get(values.lookupOrd(ord));
                    positionOfOrd.put(ord, position);
                }
                counts[position]++;
                holder[position] = leaf.docBase + doc;
            }
        });
    }

    private static Query holders(Query ofKeys, Query records) {
        return records == null ? ofKeys : new BooleanQuery.Builder()
                .add(ofKeys, BooleanClause.Occur.FILTER)
                .add(records, BooleanClause.Occur.FILTER)
                .build();
    }

    /**
     * The vector keys of the live record documents {@code records} matches (null: all of them),
     * read from doc values: a set bit per ordinal per segment, then the ordinals' values.
     */
    private static Set<BytesRef> vectorKeys(IndexSearcher searcher, Query records) throws IOException {
        List<Map.Entry<SortedDocValues, FixedBitSet>> seen = new ArrayList<>();
        forEachHolder(searcher, records, new HolderVisitor() {
            private FixedBitSet ordinals;

            @Override
            public void leaf(LeafReaderContext leaf, SortedDocValues keys) {
                ordinals = new FixedBitSet(keys.getValueCount());
                seen.add(Map.entry(keys, ordinals));
            }

            @Override
            public void holder(LeafReaderContext leaf, int doc, SortedDocValues keys) throws IOException {
                ordinals.set(keys.ordValue());
            }
        });
        Set<BytesRef> keys = new HashSet<>();
        for (Map.Entry<SortedDocValues, FixedBitSet> leaf : seen) {
            FixedBitSet ordinals = leaf.getValue();
            // A segment whose key field holds no value has an empty bit set, where nextSetBit(0) is out of range.
            for (int ord = ordinals.length() == 0 ? DocIdSetIterator.NO_MORE_DOCS : ordinals.nextSetBit(0);
                 ord != DocIdSetIterator.NO_MORE_DOCS;
                 ord = ord + 1 < ordinals.length() ? ordinals.nextSetBit(ord + 1) : DocIdSetIterator.NO_MORE_DOCS) {
                keys.add(BytesRef.deepCopyOf(leaf.getKey().lookupOrd(ord)));
            }
        }
        return keys;
    }

    /** What {@link #forEachHolder} reports, segment by segment. */
    private interface HolderVisitor {
        /** A segment with matching record documents begins; {@code keys} are its vector keys. */
        default void leaf(LeafReaderContext leaf, SortedDocValues keys) {
        }

        /** A live matching record document, with {@code keys} positioned on it. */
        void holder(LeafReaderContext leaf, int doc, SortedDocValues keys) throws IOException;
    }

    /**
     * Visits each live record document that {@code records} matches (null: every one) and that
     * holds a vector key, reading the keys from doc values in doc order.
     */
    private static void forEachHolder(IndexSearcher searcher, Query records, HolderVisitor visitor) throws IOException {
        Weight weight = records == null ? null
                : searcher.createWeight(searcher.rewrite(records), ScoreMode.COMPLETE_NO_SCORES, 1);
        for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
            SortedDocValues keys = leaf.reader().getSortedDocValues(VECTOR_KEY);
            Scorer scorer = weight == null || keys == null ? null : weight.scorer(leaf);
            if (keys == null || (weight != null && scorer == null)) {
                continue;
            }
            DocIdSetIterator docs = scorer == null ? keys : scorer.iterator();
            Bits live = leaf.reader().getLiveDocs();
            visitor.leaf(leaf, keys);
            for (int doc = docs.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = docs.nextDoc()) {
                if ((live == null || live.get(doc)) && (docs == keys || keys.advanceExact(doc))) {
                    visitor.holder(leaf, doc, keys);
                }
            }
        }
    }

    /** The first live document holding {@code term} in {@code field}, or -1. */
    private static int firstLiveDoc(IndexReader reader, String field, BytesRef term) throws IOException {
        for (LeafReaderContext leaf : reader.leaves()) {
            Terms terms = leaf.reader().terms(field);
            if (terms == null) {
                continue;
            }
            TermsEnum termsEnum = terms.iterator();
            if (!termsEnum.seekExact(term)) {
                continue;
            }
            Bits live = leaf.reader().getLiveDocs();
            PostingsEnum postings = termsEnum.postings(null, PostingsEnum.NONE);
            for (int doc = postings.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = postings.nextDoc()) {
                if (live == null || live.get(doc)) {
                    return leaf.docBase + doc;
                }
            }
        }
        return -1;
    }

    /** The vector key of the record document of {@code id} this searcher shows, or null. */
    private static String vectorKeyOf(IndexSearcher searcher, UUID id) throws IOException {
        IndexReader reader = searcher.getIndexReader();
        int doc = firstLiveDoc(reader, ID, new BytesRef(id.toString()));
        if (doc < 0) {
            return null;
        }
        List<LeafReaderContext> leaves = reader.leaves();
        LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(doc, leaves));
        SortedDocValues values = leaf.reader().getSortedDocValues(VECTOR_KEY);
        return values != null && values.advanceExact(doc - leaf.docBase) ? values.lookupOrd(values.ordValue()).utf8ToString()
                : null;
    }

    private static Query filterQuery(IndexFilter filter) {
        BooleanQuery.Builder query = new BooleanQuery.Builder();
        boolean any = false;
        if (!filter.kinds().isEmpty()) {
            BooleanQuery.Builder kinds = new BooleanQuery.Builder();
            filter.kinds().forEach(kind -> kinds.add(new TermQuery(new Term(KIND, kind.name())), BooleanClause.Occur.SHOULD));
            query.add(kinds.build(), BooleanClause.Occur.FILTER);
            any = true;
        }
        if (filter.namespace() != null) {
            query.add(new TermQuery(new Term(NAMESPACE, filter.namespace())), BooleanClause.Occur.FILTER);
            any = true;
        }
        if (filter.phase() != null) {
            query.add(new TermQuery(new Term(PHASE, filter.phase())), BooleanClause.Occur.FILTER);
            any = true;
        }
        if (filter.since() != null || filter.until() != null) {
            long from = filter.since() == null ? Long.MIN_VALUE : toMicros(filter.since());
            long to = filter.until() == null ? Long.MAX_VALUE : toMicros(filter.until()) - 1;
            query.add(LongPoint.newRangeQuery(CREATED_AT, from, to), BooleanClause.Occur.FILTER);
            any = true;
        }
        return any ? query.build() : null;
    }

    @Override
    public long count() {
        // Record documents only: they alone have a createdAt doc value.
        return withSearcher("count", searcher -> (long) searcher.count(new FieldExistsQuery(CREATED_AT_ORDER)));
    }

    /** Live vector documents: the graph's distinct vectors, orphans not yet swept included. */
    long vectorCount() {
        return withSearcher("count", searcher -> (long) searcher.count(new FieldExistsQuery(VECTOR)));
    }

    @Override
    public List<UUID> ids(UUID after, int limit) {
        return withSearcher("ids", searcher -> {
            IndexReader reader = searcher.getIndexReader();
            List<UUID> page = new ArrayList<>(Math.min(limit, 1024));
            Terms terms = MultiTerms.getTerms(reader, ID);
            if (terms == null) {
                return page;
            }
            Bits live = MultiBits.getLiveDocs(reader);
            TermsEnum termsEnum = terms.iterator();
            BytesRef term;
            if (after == null) {
                term = termsEnum.next();
            } else {
                TermsEnum.SeekStatus status = termsEnum.seekCeil(new BytesRef(after.toString()));
                term = switch (status) {
                    case END -> null;
                    case FOUND -> termsEnum.next();
                    case NOT_FOUND -> termsEnum.term();
                };
            }
            PostingsEnum postings = null;
            for (; term != null && page.size() < limit; term = termsEnum.next()) {
                postings = termsEnum.postings(postings, PostingsEnum.NONE);
                for (int doc = postings.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = postings.nextDoc()) {
                    if (live == null || live.get(doc)) {
                        page.add(UUID.fromString(term.utf8ToString()));
                        break;
                    }
                }
            }
            return page;
        });
    }

    @Override
    public SliceDigest digest(int bits) {
        return withSearcher("digest", searcher -> {
            SliceDigest digest = new SliceDigest(bits);
            for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
                forEachFingerprint(leaf.reader(), null, null, digest::add);
            }
            return digest;
        });
    }

    @Override
    public Map<UUID, Long> fingerprints(int slice, int bits) {
        BytesRef from = new BytesRef(IdSlices.first(slice, bits).toString());
        BytesRef to = slice + 1 < IdSlices.count(bits) ? new BytesRef(IdSlices.first(slice + 1, bits).toString()) : null;
        return withSearcher("fingerprints", searcher -> {
            Map<UUID, Long> fingerprints = new HashMap<>();
            for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
                forEachFingerprint(leaf.reader(), from, to, fingerprints::put);
            }
            return fingerprints;
        });
    }

    /**
     * Calls {@code sink} for each live entry of the segment whose id lies in [from, to) (null: no
     * bound): ids come from the terms, fingerprints from doc values read in doc order. An entry
     * written before fingerprints were doc values has its fingerprint computed from its stored checksum.
     */
    private static void forEachFingerprint(LeafReader reader, BytesRef from, BytesRef to, BiConsumer<UUID, Long> sink)
            throws IOException {
        Terms terms = reader.terms(ID);
        if (terms == null) {
            return;
        }
        Bits live = reader.getLiveDocs();
        TermsEnum termsEnum = terms.iterator();
        BytesRef term = from == null ? termsEnum.next()
                : termsEnum.seekCeil(from) == TermsEnum.SeekStatus.END ? null : termsEnum.term();
        List<UUID> ids = new ArrayList<>();
        long[] docAndIndex = new long[16];
        PostingsEnum postings = null;
        for (; term != null && (to == null || term.compareTo(to) < 0); term = termsEnum.next()) {
            postings = termsEnum.postings(postings, PostingsEnum.NONE);
            for (int doc = postings.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = postings.nextDoc()) {
                if (live == null || live.get(doc)) {
                    if (ids.size() == docAndIndex.length) {
                        docAndIndex = Arrays.copyOf(docAndIndex, docAndIndex.length * 2);
                    }
                    docAndIndex[ids.size()] = ((long) doc << 32) | ids.size();
                    ids.add(UUID.fromString(term.utf8ToString()));
                    break;
                }
            }
        }
        Arrays.sort(docAndIndex, 0, ids.size());
        NumericDocValues values = reader.getNumericDocValues(FINGERPRINT);
        StoredFields stored = reader.storedFields();
        for (int i = 0; i < ids.size(); i++) {
            int doc = (int) (docAndIndex[i] >>> 32);
            UUID id = ids.get((int) docAndIndex[i]);
            if (values != null && values.advanceExact(doc)) {
                sink.accept(id, values.longValue());
            } else {
                sink.accept(id, SliceDigest.fingerprint(stored.document(doc, Set.of(CHECKSUM)).get(CHECKSUM)));
            }
        }
    }

    @Override
    public void refresh() {
        try {
            searchers.maybeRefreshBlocking();
        } catch (IOException | AlreadyClosedException e) {
            throw unavailable("refresh", e);
        }
    }

    @Override
    public Optional<IndexEntry> get(UUID id) {
        return withSearcher("get", searcher -> {
            int docId = firstLiveDoc(searcher.getIndexReader(), ID, new BytesRef(id.toString()));
            if (docId < 0) {
                return Optional.empty();
            }
            IndexMetadata metadata = metadata(searcher.storedFields().document(docId));
            String key = vectorKeyOf(searcher, id);
            int vectorDoc = key == null ? -1 : firstLiveDoc(searcher.getIndexReader(), VECTOR_OF, new BytesRef(key));
            if (vectorDoc < 0) {
                // Cannot happen while writes and sweeps keep their order; if it does, the entry
                // reads as absent and reconciliation writes it again, vector included.
                log.warn("The Lucene index in {} holds record {} without its vector {}", path, id, key);
                return Optional.empty();
            }
            return Optional.of(new IndexEntry(id, vector(searcher, vectorDoc), metadata));
        });
    }

    /** Read from each record document's stored write time; a document written before it was kept is left out. */
    @Override
    public Map<UUID, Instant> writtenAt(Collection<UUID> ids) {
        return withSearcher("writtenAt", searcher -> {
            Map<UUID, Instant> times = new HashMap<>();
            StoredFields stored = searcher.storedFields();
            for (UUID id : ids) {
                int docId = firstLiveDoc(searcher.getIndexReader(), ID, new BytesRef(id.toString()));
                if (docId >= 0) {
                    IndexableField field = stored.document(docId, Set.of(WRITTEN_AT)).getField(WRITTEN_AT);
                    if (field != null) {
                        times.put(id, fromMicros(field.numericValue().longValue()));
                    }
                }
            }
            return times;
        });
    }

    /** When this index was opened: the lock on its directory keeps every other process out. */
    @Override
    public Optional<Instant> writesSettledBefore() {
        return Optional.of(openedAt);
    }

    @Override
    public IndexHealth health() {
        Throwable tragedy = writer.getTragicException();
        if (tragedy != null) {
            return IndexHealth.down("Lucene index in " + path + " failed: " + tragedy);
        }
        if (!writer.isOpen()) {
            return IndexHealth.down("Lucene index in " + path + " is closed");
        }
        return IndexHealth.up("Lucene index in " + path);
    }

    @Override
    public int dimension() {
        return dimension;
    }

    /** This index loses the writes since its last commit in a crash, and says which: itself. */
    @Override
    public Optional<CrashRecovery> crashRecovery() {
        return Optional.of(this);
    }

    @Override
    public Optional<Instant> durableAsOf() {
        return Optional.ofNullable(durableAsOf);
    }

    @Override
    public Optional<Instant> recoveredAsOf() {
        return Optional.ofNullable(recoveredAsOf);
    }

    /** Commits now: everything written before this call survives a crash. */
    public void commit() {
        Instant started = clock.instant();
        try {
            writer.setLiveCommitData(Map.of(DURABLE_AS_OF, started.toString(), LAYOUT, DISTINCT_VECTORS).entrySet());
            writer.commit();
            durableAsOf = started;
        } catch (IOException | AlreadyClosedException e) {
            throw unavailable("commit", e);
        }
    }

    private void commitQuietly() {
        try {
            if (sweepNeeded || (upsertedSinceSweep && !clock.instant().isBefore(lastSweep.plus(SWEEP_INTERVAL)))) {
                int removed = sweepOrphans();
                if (removed > 0) {
                    log.debug("Removed {} vectors no record of the Lucene index in {} holds", removed, path);
                }
            }
        } catch (IOException | RuntimeException e) {
            log.warn("Sweeping orphan vectors of the Lucene index in {} failed; the next sweep retries", path, e);
            sweepNeeded = true;
        }
        try {
            if (writer.hasUncommittedChanges()) {
                commit();
            }
        } catch (RuntimeException e) {
            log.warn("Committing the Lucene index in {} failed; the next commit retries", path, e);
        }
    }

    /**
     * Commits, then releases the index. A periodic commit under way is waited for, never
     * interrupted: an interrupt reaching a thread in Lucene's file I/O closes the file channel
     * ({@code ClosedByInterruptException}), which invalidates the index's write lock and leaves the
     * writer unusable, so the final commit failed and the last interval's entries were lost (found
     * by the benchmark's raw Lucene baseline).
     */
    @Override
    public void close() {
        committer.shutdown();
        try {
            if (!committer.awaitTermination(COMMIT_WAIT.toSeconds(), TimeUnit.SECONDS)) {
                log.warn("A periodic commit of the Lucene index in {} is still running after {} s; closing anyway", path,
                        COMMIT_WAIT.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        reopener.close();
        try {
            if (writer.isOpen()) {
                commit();
            }
        } catch (RuntimeException e) {
            log.warn("Final commit of the Lucene index in {} failed; its last commit stays", path, e);
        }
        try {
            searchers.close();
            writer.close();
            directory.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the Lucene index in " + path, e);
        }
    }

    private interface SearcherCall<T> {
        T call(IndexSearcher searcher) throws IOException;
    }

    private <T> T withSearcher(String operation, SearcherCall<T> call) {
        IndexSearcher searcher;
        try {
            searcher = searchers.acquire();
        } catch (IOException | AlreadyClosedException e) {
            throw unavailable(operation, e);
        }
        try {
            return call.call(searcher);
        } catch (IOException | AlreadyClosedException e) {
            throw unavailable(operation, e);
        } finally {
            try {
                searchers.release(searcher);
            } catch (IOException e) {
                log.debug("Releasing a Lucene searcher failed", e);
            }
        }
    }

    private IndexUnavailableException unavailable(String operation, Exception e) {
        return new IndexUnavailableException("Lucene index in " + path + ": " + operation + " failed: " + e.getMessage(), e);
    }

    /**
     * The vector of a document, from the vector field itself: it is not stored a second time (a
     * stored copy cost every write about 7% of the service's CPU in compression, and merges the
     * copying).
     */
    private static float[] vector(IndexSearcher searcher, int docId) throws IOException {
        List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
        LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(docId, leaves));
        FloatVectorValues vectors = leaf.reader().getFloatVectorValues(VECTOR);
        int target = docId - leaf.docBase;
        KnnVectorValues.DocIndexIterator iterator = vectors == null ? null : vectors.iterator();
        if (iterator == null || iterator.advance(target) != target) {
            throw new IOException("document " + docId + " has no vector");
        }
        return vectors.vectorValue(iterator.index()).clone();
    }

    private static long toMicros(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
    }

    private static Instant fromMicros(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }
}
