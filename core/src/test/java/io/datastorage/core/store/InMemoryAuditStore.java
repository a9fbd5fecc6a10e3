package io.datastorage.core.store;

import io.datastorage.core.audit.AuditDraft;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.index.IdSlices;
import io.datastorage.core.index.SliceDigest;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
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

    private record Row(AuditDraft draft, float[] embedding, boolean indexPending, Instant receivedAt, Long fingerprint) {
    }

    private final Map<UUID, Row> rows = new LinkedHashMap<>();
    private final Map<String, String> fingerprints = new HashMap<>();
    private final Map<String, WriteResult> results = new HashMap<>();
    private final Clock clock;
    private volatile Fault fault = Fault.NONE;

    public InMemoryAuditStore(Clock clock) {
        this.clock = clock;
    }

    public void fault(Fault next) {
        fault = next;
    }

    @Override
    public synchronized WriteResult write(List<NewRecord> records, IdempotencyToken token, BeforeCommit beforeCommit) {
        if (records.isEmpty()) {
            throw new IllegalArgumentException("nothing to write");
        }
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
        for (NewRecord record : records) {
            AuditDraft d = record.draft();
            UUID id = UUID.randomUUID();
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
        for (int i = 0; i < records.size(); i++) {
            Receipt receipt = receipts.get(i).withVectorIndexed(indexed.contains(receipts.get(i).id()));
            receipts.set(i, receipt);
            rows.put(receipt.id(), new Row(records.get(i).draft(), records.get(i).embedding(), !receipt.vectorIndexed(), now,
                    indexedFingerprints.get(receipt.id())));
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
    public synchronized Optional<AuditRecord> find(AuditKind kind, UUID id) {
        Row row = rows.get(id);
        if (row == null || row.draft().kind() != kind) {
            return Optional.empty();
        }
        return Optional.of(new AuditRecord(id, kind, row.receivedAt(), row.draft().document(), row.embedding() != null,
                !row.indexPending()));
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

    private static boolean matches(AuditQuery query, AuditDraft d) {
        return query.kinds().contains(d.kind())
                && (query.namespace() == null || query.namespace().equals(d.namespace()))
                && (query.phase() == null || query.phase() == d.phase())
                && (query.severity() == null || query.severity() == d.severity())
                && (query.correlationId() == null || query.correlationId().equals(d.correlationId()))
                && (query.name() == null || query.name().equals(d.name()))
                && d.labels().entrySet().containsAll(query.labels().entrySet())
                && (query.since() == null || !d.createdAt().isBefore(query.since()))
                && (query.until() == null || d.createdAt().isBefore(query.until()));
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
                rows.put(entry.getKey().id(), new Row(row.draft(), entry.getValue(), true, row.receivedAt(), null));
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
                rows.put(record.id(), new Row(row.draft(), row.embedding(), false, row.receivedAt(), record.fingerprint()));
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
