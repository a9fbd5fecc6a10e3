package io.datastorage.core.migration;

import io.datastorage.core.ingest.ContentFingerprint;

import java.util.Map;

/** How legacy records' documents are compared: on the service's one canonical JSON form. */
final class LegacyDocuments {
    private LegacyDocuments() {
    }

    /** {@link ContentFingerprint#canonical} of the document. */
    static String canonical(Map<String, Object> document) {
        return ContentFingerprint.canonical(document);
    }
}
