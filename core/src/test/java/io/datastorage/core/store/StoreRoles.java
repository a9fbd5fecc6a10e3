package io.datastorage.core.store;

import java.util.Objects;

/** The roles of one store, over one set of rows: what the role contracts test together. */
public record StoreRoles(RecordStore records, EmbeddingBacklog embeddingBacklog, IndexBacklog indexBacklog,
                         VectorLedger vectorLedger) {
    public StoreRoles {
        Objects.requireNonNull(records, "records");
        Objects.requireNonNull(embeddingBacklog, "embeddingBacklog");
        Objects.requireNonNull(indexBacklog, "indexBacklog");
        Objects.requireNonNull(vectorLedger, "vectorLedger");
    }

    /** Every role played by one object. */
    public static StoreRoles of(AuditStore store) {
        return new StoreRoles(store, store, store, store);
    }
}
