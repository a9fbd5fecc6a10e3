package io.datastorage.core.embedding;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The cache key of a text under a model: lower-case hex SHA-256 of the model id, a NUL separator
 * and the text, both in UTF-8. The model id is part of the key so that vectors of different models
 * (or of the same model with other settings) never mix; the separator keeps ("ab", "c") and
 * ("a", "bc") apart. The same key is used by every cache backend and every replica.
 */
public final class EmbeddingCacheKey {
    private static final HexFormat HEX = HexFormat.of();

    private EmbeddingCacheKey() {
    }

    public static String of(String modelId, String text) {
        MessageDigest sha256 = sha256();
        sha256.update(modelId.getBytes(StandardCharsets.UTF_8));
        sha256.update((byte) 0);
        sha256.update(text.getBytes(StandardCharsets.UTF_8));
        return HEX.formatHex(sha256.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }
}
