package io.datastorage.core.migration;

import io.datastorage.core.audit.Timestamps;
import io.datastorage.core.ingest.ContentFingerprint;
import io.datastorage.core.store.AuditRecord;
import io.datastorage.core.store.NewRecord;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** How a record of either side becomes the other's shape, and how two sides' copies are compared. */
final class MigrationRecords {
    private MigrationRecords() {
    }

    /** A record about to be written with its id chosen, as the legacy side stores it. */
    static LegacyRecord toLegacy(NewRecord record) {
        Objects.requireNonNull(record.id(), "a record put on the legacy side has its id chosen");
        return new LegacyRecord(record.id(), record.draft().kind(), record.draft().createdAt(), record.draft().document(),
                record.legacyId());
    }

    /** A record of the new side in the shape both sides share ({@code createdAt} read from its document). */
    static LegacyRecord toLegacy(AuditRecord record) {
        Object createdAt = record.document().get("createdAt");
        String text = String.valueOf(createdAt);
        return new LegacyRecord(record.id(), record.kind(), Timestamps.parse(text, text), record.document(),
                record.legacyId());
    }

    /**
     * The fields in which two copies of a record differ: {@code kind} and {@code legacyId}, then each
     * document field (in the order the first names them, then the second's others) whose values
     * differ in canonical JSON ({@code 0.5} equals {@code 0.50}). Empty: the copies agree.
     */
    static List<String> differences(LegacyRecord one, LegacyRecord other) {
        List<String> fields = new ArrayList<>();
        if (one.kind() != other.kind()) {
            fields.add("kind");
        }
        if (!Objects.equals(one.legacyId(), other.legacyId())) {
            fields.add("legacyId");
        }
        Set<String> names = new LinkedHashSet<>(one.document().keySet());
        names.addAll(other.document().keySet());
        for (String name : names) {
            if (!canonicalValue(one.document(), name).equals(canonicalValue(other.document(), name))) {
                fields.add(name);
            }
        }
        return List.copyOf(fields);
    }

    private static String canonicalValue(Map<String, Object> document, String name) {
        if (!document.containsKey(name)) {
            return "(absent)";
        }
        Map<String, Object> single = new java.util.LinkedHashMap<>();
        single.put("v", document.get(name));
        return ContentFingerprint.canonical(single);
    }
}
