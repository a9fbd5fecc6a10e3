package io.datastorage.core.store;

import java.util.List;
import java.util.Objects;

/**
 * One page of a listing.
 *
 * @param items the records, in the listing order ({@link AuditPosition#LISTING_ORDER})
 * @param next  the position of the last item when more records match: pass it as
 *              {@link AuditQuery#after()} for the next page; null on the last page
 * @param total how many records match the filters, whatever the position and the limit; null
 *              unless {@link AuditQuery#includeTotal()} asked for it
 */
public record AuditPage(List<AuditRecord> items, AuditPosition next, Long total) {
    public AuditPage {
        items = List.copyOf(Objects.requireNonNull(items, "items"));
    }
}
