package io.datastorage.core.index;

import java.util.Objects;
import java.util.UUID;

/** A record's vector and what searches may filter it by. */
public record IndexEntry(UUID id, float[] vector, IndexMetadata metadata) {
    public IndexEntry {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(vector, "vector");
        Objects.requireNonNull(metadata, "metadata");
    }
}
