package io.datastorage.core.store;

import java.util.List;

/**
 * @param receipts one per written record, in input order
 * @param replayed true when an idempotent retry returned the receipts of an earlier write and
 *                 nothing new was stored
 * @param route    the migration phase the write ran under, or {@code null} when no migration routed it
 */
public record WriteResult(List<Receipt> receipts, boolean replayed, Route route) {
    public WriteResult {
        receipts = List.copyOf(receipts);
    }

    /** A result no migration routed. */
    public WriteResult(List<Receipt> receipts, boolean replayed) {
        this(receipts, replayed, null);
    }

    /** This result, routed by a migration under {@code route}. */
    public WriteResult withRoute(Route route) {
        return new WriteResult(receipts, replayed, route);
    }
}
