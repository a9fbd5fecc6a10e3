package io.datastorage.core.store;

import java.util.List;

/**
 * @param receipts one per written record, in input order
 * @param replayed true when an idempotent retry returned the receipts of an earlier write and
 *                 nothing new was stored
 */
public record WriteResult(List<Receipt> receipts, boolean replayed) {
    public WriteResult {
        receipts = List.copyOf(receipts);
    }
}
