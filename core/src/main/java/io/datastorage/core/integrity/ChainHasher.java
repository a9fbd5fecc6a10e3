package io.datastorage.core.integrity;

import io.datastorage.core.config.InvalidConfigException;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * Computes the links of the hash chains: {@code hash_n = SHA-256(hash_{n-1} ‖ seq_n ‖ json_n)},
 * where {@code seq_n} is the link's position (1, 2, …) as 8 bytes big-endian and {@code json_n}
 * the UTF-8 of the record's {@linkplain ChainRecord#canonicalJson() canonical JSON}; the first
 * link's predecessor is {@link #GENESIS}, 32 zero bytes. With a key, HMAC-SHA256 under that key
 * takes SHA-256's place, so that only a holder of the key can forge a chain. Thread-safe (each
 * call gets its own digest).
 */
public final class ChainHasher {
    /** The hash before the first link: 32 zero bytes. */
    public static final byte[] GENESIS = new byte[32];
    /** The shortest HMAC key accepted, in bytes (SHA-256's output length, RFC 2104's recommendation). */
    public static final int MIN_KEY_BYTES = 32;

    private final SecretKeySpec key;

    private ChainHasher(byte[] key) {
        this.key = key == null ? null : new SecretKeySpec(key, "HmacSHA256");
    }

    /** Links by plain SHA-256. */
    public static ChainHasher sha256() {
        return new ChainHasher(null);
    }

    /**
     * Links by HMAC-SHA256 under the key {@code base64} (standard alphabet), or by plain SHA-256
     * when it is null or blank.
     *
     * @param setting the setting's name, for the message
     * @throws InvalidConfigException when the value is not base64 or shorter than
     *                                {@link #MIN_KEY_BYTES} bytes; the message never repeats the value
     */
    public static ChainHasher fromBase64Key(String setting, String base64) {
        if (base64 == null || base64.isBlank()) {
            return sha256();
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException(setting, "must be base64 (standard alphabet) of at least "
                    + MIN_KEY_BYTES + " bytes", "a value that is not base64 (redacted)");
        }
        if (key.length < MIN_KEY_BYTES) {
            throw new InvalidConfigException(setting, "must be base64 of at least " + MIN_KEY_BYTES + " bytes",
                    "a key of " + key.length + " bytes (redacted)");
        }
        return new ChainHasher(key);
    }

    /** Whether links are HMACs under a key. */
    public boolean keyed() {
        return key != null;
    }

    /** The link at {@code seq} after {@code previous}, over {@code record}. */
    public byte[] link(byte[] previous, long seq, ChainRecord record) {
        return link(previous, seq, record.canonicalJson());
    }

    /** The link at {@code seq} after {@code previous}, over the canonical JSON {@code json}. */
    public byte[] link(byte[] previous, long seq, String json) {
        if (previous.length != 32) {
            throw new IllegalArgumentException("a link is 32 bytes, was " + previous.length);
        }
        byte[] position = ByteBuffer.allocate(Long.BYTES).putLong(seq).array();
        byte[] content = json.getBytes(StandardCharsets.UTF_8);
        try {
            if (key == null) {
                MessageDigest digest = MessageDigest.getInstance("SHA-256");
                digest.update(previous);
                digest.update(position);
                digest.update(content);
                return digest.digest();
            }
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(previous);
            mac.update(position);
            mac.update(content);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 and HmacSHA256 are part of every JDK", e);
        }
    }

    @Override
    public String toString() {
        return key == null ? "ChainHasher[SHA-256]" : "ChainHasher[HMAC-SHA256]"; // never the key
    }
}
