package io.datastorage.core.store;

import io.datastorage.core.audit.AuditDraft;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.index.IdSlices;
import io.datastorage.core.index.SliceDigest;
import io.datastorage.core.ingest.ContentFingerprint;
import io.datastorage.core.migration.MigrationSide;
import io.datastorage.core.migration.PhaseChangedException;
import io.datastorage.core.migration.PhaseState;
import io.datastorage.core.migration.PhaseStore;
import io.datastorage.core.migration.SecondaryWrite;
import io.datastorage.core.migration.SecondaryWriteQueue;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Every store role in memory (one {@link AuditStore}), for the tests of what is built on a store
 * (the coordinator, reconciliation, listing); the role contracts run on it as on PostgreSQL, so
 * what those tests rely on is what PostgreSQL does. A write is applied whole when it
 * "commits" and not at all otherwise, and a {@link Fault} can be injected at begin, insert or
 * commit. Writes are serialised, like conflicting transactions.
 */
public final class InMemoryAuditStore implements AuditStore {
    /**
     * Where a write fails: BEGIN, INSERT (before the hook) and COMMIT (after it) as the store's
     * own {@link StoreUnavailableException}; DEFECT after the hook with an exception that is not
     * the store's way of failing; COMMIT_OUTCOME_UNKNOWN commits, then throws
     * {@link CommitOutcomeUnknownException}, as when the database made the commit durable and died
     * before it could answer.
     */
    public enum Fault { NONE, BEGIN, INSERT, COMMIT, DEFECT, COMMIT_OUTCOME_UNKNOWN }

    private record Row(AuditDraft draft, float[] embedding, boolean indexPending, Instant receivedAt, Long fingerprint,
                       String legacyId) {
        Row with(float[] newEmbedding, boolean newIndexPending, Long newFingerprint) {
            return new Row(draft, newEmbedding, newIndexPending, receivedAt, newFingerprint, legacyId);
        }
    }

    private final Map<UUID, Row> rows = new LinkedHashMap<>();
    private final Map<String, String> fingerprints = new HashMap<>();
    private final Map<String, WriteResult> results = new HashMap<>();
    private final Clock clock;
    private volatile Fault fault = Fault.NONE;
    /** Where writes under {@link MigrationTerms} are fenced and queued; null until {@link #migrating}. */
    private volatile PhaseStore phases;
    private volatile SecondaryWriteQueue queue;

    public InMemoryAuditStore(Clock clock) {
        this.clock = clock;
    }

    /**
     * Makes writes under {@link MigrationTerms} fenced to {@code phases} (the write holds the phase
     * store's monitor, which {@link io.datastorage.core.migration.InMemoryPhaseStore}'s changes
     * take, as PostgreSQL's phase fence lock does) and queued on {@code queue}.
     */
    public InMemoryAuditStore migrating(PhaseStore phases, SecondaryWriteQueue queue) {
        this.phases = Objects.requireNonNull(phases, "phases");
        this.queue = Objects.requireNonNull(queue, "queue");
        return this;
    }

    public void fault(Fault next) {
        fault = next;
    }

    @Override
    public synchronized WriteResult write(List<NewRecord> records, IdempotencyToken token, BeforeCommit beforeCommit,
                                          MigrationTerms terms) {
        if (records.isEmpty()) {
            throw new IllegalArgumentException("nothing to write");
        }
        Set<UUID> given = new HashSet<>();
        for (NewRecord record : records) {
            if (record.id() != null && !given.add(record.id())) {
                throw new IllegalArgumentException("record id " + record.id() + " is given twice in one write");
            }
        }
        if (terms == null) {
            return writeUnfenced(records, token, beforeCommit, null);
        }
        PhaseStore fence = Objects.requireNonNull(phases, "a store written under migration terms is migrating()");
        synchronized (fence) {
            long stored = fence.current().map(PhaseState::version).orElse(0L);
            if (stored != terms.phaseVersion()) {
                throw new PhaseChangedException(terms.phaseVersion(), stored);
            }
            return writeUnfenced(records, token, beforeCommit, terms);
        }
    }

    private WriteResult writeUnfenced(List<NewRecord> records, IdempotencyToken token, BeforeCommit beforeCommit,
                                      MigrationTerms terms) {
        if (fault == Fault.BEGIN) {
            throw new StoreUnavailableException("begin failed (injected)", null);
        }
        if (token != null && fingerprints.containsKey(token.key())) {
            if (!token.sameRequest(fingerprints.get(token.key()))) {
                throw new IdempotencyConflictException(token.key());
            }
            WriteResult earlier = results.get(token.key());
            return new WriteResult(earlier.receipts(), true);
        }
        if (fault == Fault.INSERT) {
            throw new StoreUnavailableException("insert failed (injected)", null);
        }
        Instant now = clock.instant();
        List<Receipt> receipts = new ArrayList<>();
        List<IndexableRecord> indexable = new ArrayList<>();
        Map<Integer, Receipt> storedAlready = new HashMap<>();
        for (int i = 0; i < records.size(); i++) {
            NewRecord record = records.get(i);
            AuditDraft d = record.draft();
            UUID id = record.id() != null ? record.id() : UUID.randomUUID();
            Row stored = record.id() == null ? null : rows.get(id);
            if (stored != null) {
                if (stored.draft().kind() != d.kind() || !Objects.equals(stored.legacyId(), record.legacyId())
                        || !ContentFingerprint.canonical(stored.draft().document())
                        .equals(ContentFingerprint.canonical(d.document()))) {
                    throw new RecordConflictException(id);
                }
                Receipt receipt = new Receipt(id, d.kind(), d.correlationId(), d.createdAtText(),
                        stored.embedding() != null, !stored.indexPending());
                storedAlready.put(i, receipt);
                receipts.add(receipt);
                continue;
            }
            receipts.add(new Receipt(id, d.kind(), d.correlationId(), d.createdAtText(), record.embedded(), false));
            if (record.embedded()) {
                indexable.add(new IndexableRecord(id, d.kind(), d.namespace(), d.phase().name(), d.createdAt(), now,
                        record.embedding()));
            }
        }
        Set<UUID> indexed = indexable.isEmpty() ? Set.of() : beforeCommit.beforeCommit(List.copyOf(indexable));
        if (fault == Fault.COMMIT) {
            throw new StoreUnavailableException("commit failed (injected)", null);
        }
        if (fault == Fault.DEFECT) {
            throw new IllegalStateException("defect (injected)");
        }
        Map<UUID, Long> indexedFingerprints = new HashMap<>();
        indexable.stream().filter(r -> indexed.contains(r.id())).forEach(r -> indexedFingerprints.put(r.id(), r.fingerprint()));
        List<SecondaryWrite> queued = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            if (storedAlready.containsKey(i)) {
                continue;
            }
            Receipt receipt = receipts.get(i).withVectorIndexed(indexed.contains(receipts.get(i).id()));
            receipts.set(i, receipt);
            rows.put(receipt.id(), new Row(records.get(i).draft(), records.get(i).embedding(), !receipt.vectorIndexed(), now,
                    indexedFingerprints.get(receipt.id()), records.get(i).legacyId()));
            if (terms != null && terms.queueForLegacy()) {
                queued.add(new SecondaryWrite(receipt.id(), receipt.kind(), MigrationSide.LEGACY, terms.phaseVersion()));
            }
        }
        if (!queued.isEmpty()) {
            queue.enqueue(queued, terms.queueDueIn());
        }
        WriteResult result = new WriteResult(receipts, false);
        if (token != null) {
            fingerprints.put(token.key(), token.fingerprint());
            results.put(token.key(), result);
        }
        if (fault == Fault.COMMIT_OUTCOME_UNKNOWN) {
            throw new CommitOutcomeUnknownException("connection lost during the commit (injected)", null);
        }
        return result;
    }

    @Override
    public synchronized void undo(List<Receipt> receipts, IdempotencyToken token) {
        if (fault == Fault.BEGIN) {
            throw new StoreUnavailableException("begin failed (injected)", null);
        }
        List<SecondaryWrite> queued = new ArrayList<>();
        for (Receipt receipt : receipts) {
            Row row = rows.get(receipt.id());
            if (row != null && row.draft().kind() == receipt.kind()) { // by id and kind, as PostgreSQL deletes
                rows.remove(receipt.id());
            }
            for (MigrationSide side : MigrationSide.values()) { // both sides' entries, as PostgreSQL's undo
                queued.add(new SecondaryWrite(receipt.id(), receipt.kind(), side, 1));
            }
        }
        if (queue != null) {
            queue.discard(queued);
        }
        if (token != null && results.containsKey(token.key())
                && results.get(token.key()).receipts().stream().map(Receipt::id).toList()
                .equals(receipts.stream().map(Receipt::id).toList())) {
            results.remove(token.key());
            fingerprints.remove(token.key());
        }
    }

    @Override
    public synchronized Optional<AuditRecord> find(AuditKind kind, UUID id) {
        Row row = rows.get(id);
        if (row == null || row.draft().kind() != kind) {
            return Optional.empty();
        }
        return Optional.of(new AuditRecord(id, kind, row.receivedAt(), row.draft().document(), row.embedding() != null,
                !row.indexPending(), row.legacyId()));
    }

    @Override
    public synchronized AuditPage list(AuditQuery query) {
        List<AuditPosition> matching = rows.entrySet().stream()
                .filter(e -> matches(query, e.getValue().draft()))
                .map(e -> new AuditPosition(e.getValue().draft().createdAt(), e.getKey()))
                .sorted(AuditPosition.LISTING_ORDER)
                .toList();
        List<AuditPosition> positions = matching.stream()
                .filter(p -> query.after() == null || p.isAfter(query.after()))
                .limit(query.limit() + 1L).toList();
        boolean more = positions.size() > query.limit();
        List<AuditPosition> page = more ? positions.subList(0, query.limit()) : positions;
        List<AuditRecord> items = page.stream().map(p -> find(rows.get(p.id()).draft().kind(), p.id()).orElseThrow()).toList();
        return new AuditPage(items, more ? page.getLast() : null, query.includeTotal() ? (long) matching.size() : null);
    }

    @Override
    public synchronized Optional<Instant> firstCreatedAt(AuditKind kind, Instant notBefore) {
        return rows.values().stream().map(Row::draft).filter(d -> d.kind() == kind)
                .map(AuditDraft::createdAt).filter(at -> !at.isBefore(notBefore)).min(Comparator.naturalOrder());
    }

    private static boolean matches(AuditQuery query, AuditDraft d) {
        return query.matches(d.kind(), d.createdAt(), d.document());
    }

    /** Every stored id. */
    public synchronized Set<UUID> ids() {
        return Set.copyOf(rows.keySet());
    }

    /** Whether the stored record is marked "index pending". */
    public synchronized boolean indexPending(UUID id) {
        return rows.get(id).indexPending();
    }

    /** Oldest received first, then by id as PostgreSQL orders uuids (their canonical string form). */
    private static final Comparator<Map.Entry<UUID, Row>> ARRIVAL = Comparator
            .comparing((Map.Entry<UUID, Row> e) -> e.getValue().receivedAt()).thenComparing(e -> e.getKey().toString());

    @Override
    public synchronized List<PendingEmbedding> pendingEmbeddings(int limit) {
        return rows.entrySet().stream().filter(e -> e.getValue().embedding() == null).sorted(ARRIVAL).limit(limit)
                .map(e -> new PendingEmbedding(e.getKey(), e.getValue().draft().kind(), e.getValue().draft().createdAt(),
                        e.getValue().draft().document())).toList();
    }

    @Override
    public synchronized int completeEmbeddings(Map<PendingEmbedding, float[]> embeddings) {
        int done = 0;
        for (Map.Entry<PendingEmbedding, float[]> entry : embeddings.entrySet()) {
            Row row = rows.get(entry.getKey().id());
            if (row != null && row.embedding() == null) {
                rows.put(entry.getKey().id(), row.with(entry.getValue(), true, null));
                done++;
            }
        }
        return done;
    }

    @Override
    public synchronized long countPendingEmbeddings() {
        return rows.values().stream().filter(r -> r.embedding() == null).count();
    }

    private IndexableRecord indexable(UUID id, Row row) {
        AuditDraft d = row.draft();
        return new IndexableRecord(id, d.kind(), d.namespace(), d.phase().name(), d.createdAt(), row.receivedAt(), row.embedding());
    }

    @Override
    public synchronized List<IndexableRecord> pendingIndex(int limit) {
        return rows.entrySet().stream().filter(e -> e.getValue().indexPending() && e.getValue().embedding() != null)
                .sorted(ARRIVAL).limit(limit).map(e -> indexable(e.getKey(), e.getValue())).toList();
    }

    @Override
    public synchronized int completeIndex(List<IndexableRecord> indexed) {
        int done = 0;
        for (IndexableRecord record : indexed) {
            Row row = rows.get(record.id());
            if (row != null && (row.indexPending() || !Objects.equals(row.fingerprint(), record.fingerprint()))) {
                rows.put(record.id(), row.with(row.embedding(), false, record.fingerprint()));
                done++;
            }
        }
        return done;
    }

    @Override
    public synchronized long countPendingIndex() {
        return rows.values().stream().filter(Row::indexPending).count();
    }

    @Override
    public synchronized Optional<Instant> oldestPendingIndex() {
        return rows.values().stream().filter(Row::indexPending).map(Row::receivedAt).min(Comparator.naturalOrder());
    }

    @Override
    public synchronized SliceDigest vectorDigest(int bits) {
        SliceDigest digest = new SliceDigest(bits);
        rows.forEach((id, row) -> {
            if (row.embedding() != null) {
                digest.add(id, row.fingerprint() == null ? 0L : row.fingerprint());
            }
        });
        return digest;
    }

    @Override
    public synchronized Map<UUID, Long> vectorFingerprints(int slice, int bits) {
        Map<UUID, Long> fingerprints = new HashMap<>();
        rows.forEach((id, row) -> {
            if (row.embedding() != null && IdSlices.sliceOf(id, bits) == slice) {
                fingerprints.put(id, row.fingerprint());
            }
        });
        return fingerprints;
    }

    @Override
    public synchronized List<IndexableRecord> indexable(Collection<UUID> ids) {
        return ids.stream().distinct().filter(id -> rows.containsKey(id) && rows.get(id).embedding() != null)
                .map(id -> indexable(id, rows.get(id))).toList();
    }

    /** Forgets a record, as a store restored from an older backup would; for making orphans. */
    public synchronized void forget(UUID id) {
        rows.remove(id);
    }

    @Override
    public synchronized List<IndexableRecord> indexedSince(Instant since, IndexableRecord after, int limit) {
        Comparator<IndexableRecord> order = Comparator.comparing(IndexableRecord::receivedAt)
                .thenComparing(r -> r.id().toString());
        return rows.entrySet().stream().filter(e -> !e.getValue().indexPending())
                .map(e -> indexable(e.getKey(), e.getValue()))
                .filter(r -> !r.receivedAt().isBefore(since) && (after == null || order.compare(r, after) > 0))
                .sorted(order).limit(limit).toList();
    }
}
