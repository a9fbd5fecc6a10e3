package io.datastorage.core.migration;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.store.AuditPage;
import io.datastorage.core.store.AuditPosition;
import io.datastorage.core.store.AuditQuery;
import io.datastorage.core.store.AuditRecord;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;

/**
 * A listing ({@code GET /api/v1/audit}) answered from a legacy store, while the legacy store is the
 * primary: the same page PostgreSQL's listing gives for the same records and query. The filters are
 * {@link AuditQuery#matches}, the order is {@link AuditPosition#LISTING_ORDER} (newest
 * {@code createdAt} first, ties by id, greatest first), {@code after} is a keyset position, and the
 * total counts every matching record whatever the position.
 *
 * <p>A legacy store has no index for any of that: a page is a {@link LegacyStore#scan} of every kind
 * of the query, O(records of those kinds) per page. A scan runs in ascending {@code createdAt}, so it
 * stops at {@code until}, and, when no total is asked for, at the first record newer than the
 * position. Memory stays bounded whatever the store's size: one scan page of
 * {@value #SCAN_PAGE} records, and a heap of the {@code limit + 1} records first in the listing
 * order seen so far (the extra one says whether there is a next page).
 *
 * <p>Items are {@link AuditRecord}s with {@code receivedAt = createdAt} (a legacy store keeps no
 * receipt time), {@code embedded} and {@code vectorIndexed} false (the legacy side has neither),
 * and the legacy id kept. Records a scan cannot read are left out (the scan logs them and names them
 * in {@link LegacyPage#unreadable()}, where the server counts them); a scan page of only such
 * records does not end the listing's walk.
 */
public final class LegacyListing {
    /** How many records one scan call reads. */
    static final int SCAN_PAGE = 1000;

    private LegacyListing() {
    }

    /**
     * The page of {@code query} over {@code store}.
     *
     * @throws LegacyStoreUnavailableException the store failed
     */
    public static AuditPage list(LegacyStore store, AuditQuery query) {
        AuditPosition after = query.after();
        int keep = query.limit() + 1;
        // The heap's head is the record last in the listing order, the first to drop when it is full.
        PriorityQueue<Candidate> firstInOrder = new PriorityQueue<>(keep,
                Comparator.comparing(Candidate::position, AuditPosition.LISTING_ORDER).reversed());
        long total = 0;
        for (AuditKind kind : query.kinds()) {
            Optional<LegacyPosition> from = Optional.empty();
            scan:
            do {
                LegacyPage page = store.scan(kind, from, SCAN_PAGE);
                for (LegacyRecord record : page.records()) {
                    if (query.until() != null && !record.createdAt().isBefore(query.until())) {
                        break scan; // ascending createdAt: nothing later matches
                    }
                    if (!query.includeTotal() && after != null && record.createdAt().isAfter(after.createdAt())) {
                        break scan; // newer than the position: on an earlier page, as is everything after it
                    }
                    if (!query.matches(record.kind(), record.createdAt(), record.document())) {
                        continue;
                    }
                    total++;
                    AuditPosition position = new AuditPosition(record.createdAt(), record.id());
                    if (after != null && !position.isAfter(after)) {
                        continue;
                    }
                    firstInOrder.add(new Candidate(position, record));
                    if (firstInOrder.size() > keep) {
                        firstInOrder.poll();
                    }
                }
                from = page.next();
            } while (from.isPresent());
        }
        List<Candidate> ordered = new ArrayList<>(firstInOrder);
        ordered.sort(Comparator.comparing(Candidate::position, AuditPosition.LISTING_ORDER));
        boolean more = ordered.size() > query.limit();
        List<Candidate> page = more ? ordered.subList(0, query.limit()) : ordered;
        List<AuditRecord> items = page.stream().map(candidate -> toAuditRecord(candidate.record())).toList();
        return new AuditPage(items, more ? page.getLast().position() : null, query.includeTotal() ? total : null);
    }

    /** A legacy record as the listing answers it. */
    public static AuditRecord toAuditRecord(LegacyRecord record) {
        return new AuditRecord(record.id(), record.kind(), record.createdAt(), record.document(), false, false,
                record.legacyId());
    }

    private record Candidate(AuditPosition position, LegacyRecord record) {
    }
}
