package io.datastorage.core.migration;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * How a legacy id becomes a record id. A legacy id that is a UUID in its canonical text form
 * ({@code 8-4-4-4-12} hex digits, any case) is the record's id. Any other legacy id ({@code 42},
 * {@code evt-2024-0001}, a UUID without dashes) maps to a name-based UUID, version 5 (RFC 9562
 * section 5.5: SHA-1 over a namespace and the name's UTF-8 bytes), in the fixed namespace
 * {@link #NAMESPACE}. The mapping is deterministic, so every replica, every run of a backfill and
 * both stores give a legacy record the same id; the record keeps its legacy id besides.
 *
 * <p>Hand-written rather than taken from java-uuid-generator (which store-postgres uses): core keeps
 * to its few dependencies, and version 5 is a SHA-1 and four bit operations. The tests check it
 * against that library and against RFC 9562's published example.
 */
public final class LegacyIds {
    /**
     * The namespace of every name-based legacy id: {@code 6f1c3d2e-8a4b-5c7d-9e0f-1a2b3c4d5e6f}, chosen
     * once for datastorage and never to change (a change would give every legacy record a new id).
     */
    public static final UUID NAMESPACE = UUID.fromString("6f1c3d2e-8a4b-5c7d-9e0f-1a2b3c4d5e6f");

    private static final Pattern CANONICAL_UUID =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private LegacyIds() {
    }

    /** Whether {@code legacyId} is a UUID in canonical text form, and so the record's id itself. */
    public static boolean isUuid(String legacyId) {
        return CANONICAL_UUID.matcher(legacyId).matches();
    }

    /** The record id of {@code legacyId}: the UUID it spells, or its name-based UUID in {@link #NAMESPACE}. */
    public static UUID toUuid(String legacyId) {
        if (legacyId.isEmpty()) {
            throw new IllegalArgumentException("a legacy id must not be empty");
        }
        return isUuid(legacyId) ? UUID.fromString(legacyId) : nameBased(NAMESPACE, legacyId);
    }

    /** RFC 9562 section 5.5: UUID version 5 of {@code name} in {@code namespace}. */
    static UUID nameBased(UUID namespace, String name) {
        MessageDigest sha1;
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is part of every JDK", e);
        }
        sha1.update(toBytes(namespace));
        byte[] hash = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
        hash[6] = (byte) ((hash[6] & 0x0f) | 0x50); // version 5
        hash[8] = (byte) ((hash[8] & 0x3f) | 0x80); // variant 10
        long high = 0;
        long low = 0;
        for (int i = 0; i < 8; i++) {
            high = (high << 8) | (hash[i] & 0xff);
            low = (low << 8) | (hash[i + 8] & 0xff);
        }
        return new UUID(high, low);
    }

    private static byte[] toBytes(UUID uuid) {
        byte[] bytes = new byte[16];
        long high = uuid.getMostSignificantBits();
        long low = uuid.getLeastSignificantBits();
        for (int i = 0; i < 8; i++) {
            bytes[7 - i] = (byte) (high >>> (8 * i));
            bytes[15 - i] = (byte) (low >>> (8 * i));
        }
        return bytes;
    }
}
