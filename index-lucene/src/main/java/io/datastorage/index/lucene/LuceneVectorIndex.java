package io.datastorage.index.lucene;

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
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene103.Lucene103Codec;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.MultiBits;
import org.apache.lucene.index.MultiTerms;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.ControlledRealTimeReopenThread;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.AlreadyClosedException;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The embedded vector index: Lucene 10, one document per record id, its vector in an HNSW graph
 * (cosine similarity) and its metadata in indexed fields, under a directory of its own.
 *
 * <ul>
 *   <li><b>Upsert</b> is {@code updateDocument} on the id term, so an id has at most one entry.</li>
 *   <li><b>Visibility</b>: a near-real-time searcher reopened by Lucene's
 *       {@link ControlledRealTimeReopenThread} at most {@value #MAX_STALE_SECONDS} s after a change.</li>
 *   <li><b>Search</b>: {@link KnnFloatVectorQuery} with the filter as its pre-filter, so Lucene
 *       only considers matching documents (and searches them exactly when few match): k hits
 *       whenever k documents match. Lucene scores cosine as (1 + cos) / 2; hits carry cos.</li>
 *   <li><b>Durability</b>: a commit every {@code commitInterval} when something changed, and on
 *       close. Each commit stores the instant it started in its user data ({@value #DURABLE_AS_OF});
 *       {@link #recoveredAsOf()} is the value found at open, so after a restart the caller knows
 *       from when to replay records into the index, however soon new commits follow.</li>
 *   <li><b>Reconciliation</b>: each entry's 64-bit fingerprint is a numeric doc value, so
 *       {@link #digest} and {@link #fingerprints} walk the id terms and read doc values in doc
 *       order, without touching vectors or stored fields.</li>
 * </ul>
 * Lucene failures surface as {@link IndexUnavailableException}; a writer that hit a tragic error
 * (disk full, corruption) reports the index down in {@link #health()}.
 */
public final class LuceneVectorIndex implements VectorIndex {
    private static final Logger log = LoggerFactory.getLogger(LuceneVectorIndex.class);

    static final double MAX_STALE_SECONDS = 0.5;
    /** Candidates the HNSW search keeps while walking the graph, at least. */
    static final int MIN_CANDIDATES = 100;
    static final String DURABLE_AS_OF = "datastorage.durableAsOf";
    private static final String ID = "id";
    private static final String VECTOR = "vector";
    private static final String KIND = "kind";
    private static final String NAMESPACE = "namespace";
    private static final String PHASE = "phase";
    private static final String CREATED_AT = "createdAt";
    private static final String CHECKSUM = "checksum";
    private static final String FINGERPRINT = "fingerprint";

    private final Path path;
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
    private volatile Instant durableAsOf;

    private LuceneVectorIndex(Path path, int dimension, Duration commitInterval, Clock clock) throws IOException {
        this.path = path;
        this.dimension = dimension;
        this.clock = clock;
        this.directory = FSDirectory.open(path);
        this.recoveredAsOf = readDurableAsOf(directory);
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
        this.searchers = new SearcherManager(writer, null);
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
        if (dimension < 1 || dimension > 4096) {
            throw new IllegalArgumentException("dimension must be 1..4096, was " + dimension);
        }
        if (commitInterval.isNegative() || commitInterval.isZero()) {
            throw new IllegalArgumentException("commitInterval must be positive, was " + commitInterval);
        }
        try {
            return new LuceneVectorIndex(path, dimension, commitInterval, clock);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the Lucene index in " + path + ": " + e.getMessage(), e);
        }
    }

    private static Instant readDurableAsOf(Directory directory) throws IOException {
        if (!DirectoryReader.indexExists(directory)) {
            return null;
        }
        String value = SegmentInfos.readLatestCommit(directory).getUserData().get(DURABLE_AS_OF);
        return value == null ? null : Instant.parse(value);
    }

    @Override
    public void upsert(List<IndexEntry> entries) {
        entries.forEach(entry -> VectorIndexes.checkEntry(entry, dimension));
        try {
            for (IndexEntry entry : entries) {
                writer.updateDocument(new Term(ID, entry.id().toString()), document(entry));
            }
        } catch (IOException | AlreadyClosedException e) {
            throw unavailable("upsert", e);
        }
    }

    private Document document(IndexEntry entry) {
        IndexMetadata metadata = entry.metadata();
        Document doc = new Document();
        doc.add(new StringField(ID, entry.id().toString(), Field.Store.YES));
        doc.add(new KnnFloatVectorField(VECTOR, entry.vector(), VectorSimilarityFunction.COSINE));
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
        if (metadata.checksum() != null) {
            doc.add(new StoredField(CHECKSUM, metadata.checksum()));
        }
        doc.add(new NumericDocValuesField(FINGERPRINT, SliceDigest.fingerprint(metadata.checksum())));
        return doc;
    }

    @Override
    public void delete(Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return;
        }
        try {
            writer.deleteDocuments(ids.stream().map(id -> new Term(ID, id.toString())).toArray(Term[]::new));
        } catch (IOException | AlreadyClosedException e) {
            throw unavailable("delete", e);
        }
    }

    @Override
    public List<IndexHit> search(float[] vector, int k, IndexFilter filter) {
        VectorIndexes.checkQuery(vector, k, dimension);
        return withSearcher("search", searcher -> {
            // The graph is explored with at least MIN_CANDIDATES candidates, whatever k: with k
            // alone a small k walks a narrow beam and misses neighbours an exact scan finds.
            int candidates = Math.max(k, MIN_CANDIDATES);
            TopDocs top = searcher.search(new KnnFloatVectorQuery(VECTOR, vector, candidates, filterQuery(filter)), k);
            List<IndexHit> hits = new ArrayList<>(top.scoreDocs.length);
            var stored = searcher.storedFields();
            for (ScoreDoc scoreDoc : top.scoreDocs) {
                String id = stored.document(scoreDoc.doc, Set.of(ID)).get(ID);
                hits.add(new IndexHit(UUID.fromString(id), Math.max(-1, Math.min(1, 2.0 * scoreDoc.score - 1))));
            }
            return hits;
        });
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
        return withSearcher("count", searcher -> (long) searcher.getIndexReader().numDocs());
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
            TopDocs top = searcher.search(new TermQuery(new Term(ID, id.toString())), 1);
            if (top.scoreDocs.length == 0) {
                return Optional.empty();
            }
            int docId = top.scoreDocs[0].doc;
            Document doc = searcher.storedFields().document(docId);
            IndexMetadata metadata = new IndexMetadata(AuditKind.valueOf(doc.get(KIND)), doc.get(NAMESPACE), doc.get(PHASE),
                    fromMicros(doc.getField(CREATED_AT).numericValue().longValue()), doc.get(CHECKSUM));
            return Optional.of(new IndexEntry(id, vector(searcher, docId), metadata));
        });
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
            writer.setLiveCommitData(Map.of(DURABLE_AS_OF, started.toString()).entrySet());
            writer.commit();
            durableAsOf = started;
        } catch (IOException | AlreadyClosedException e) {
            throw unavailable("commit", e);
        }
    }

    private void commitQuietly() {
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
