package io.datastorage.server.integrity;

import io.datastorage.core.integrity.ChainHasher;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

import static io.datastorage.core.config.ConfigChecks.range;

/**
 * The {@code datastorage.integrity.*} settings (docs/configuration.md). Kept out of
 * {@link io.datastorage.server.config.DatastorageProperties} so the hash chain's settings live with
 * the chain.
 *
 * @param hmacKey      base64 of at least 32 bytes: links are HMAC-SHA256 under it; empty: SHA-256.
 *                     Never logged, never repeated in a message
 * @param sealDelay    how old (since received) a record must be before it is sealed into its chain;
 *                     at least {@code datastorage.write.deadline}, so a write that is undone is
 *                     never sealed
 * @param sealInterval how often the sealing job runs (on one replica, under its lease)
 */
@ConfigurationProperties("datastorage.integrity")
public record IntegrityProperties(@DefaultValue("") String hmacKey,
                                  @DefaultValue("30s") Duration sealDelay,
                                  @DefaultValue("1s") Duration sealInterval) {
    static final String PREFIX = "datastorage.integrity.";

    public IntegrityProperties {
        range(PREFIX + "seal-delay", sealDelay, Duration.ofSeconds(1), Duration.ofDays(1));
        range(PREFIX + "seal-interval", sealInterval, Duration.ofMillis(100), Duration.ofDays(1));
        hasher(hmacKey); // a bad key stops start-up here, naming the property
    }

    /** The link function the key asks for. */
    ChainHasher hasher() {
        return hasher(hmacKey);
    }

    private static ChainHasher hasher(String key) {
        return ChainHasher.fromBase64Key(PREFIX + "hmac-key", key);
    }

    /**
     * How long a record may wait for its link before a verification reports its chain
     * {@code unsealed-too-long}: the delay, one interval and five minutes' margin.
     */
    Duration unsealedLimit() {
        return sealDelay.plus(sealInterval).plus(Duration.ofMinutes(5));
    }

    @Override
    public String toString() { // never the key
        return "IntegrityProperties[hmacKey=" + (hmacKey.isBlank() ? "none" : "(set)") + ", sealDelay=" + sealDelay
                + ", sealInterval=" + sealInterval + "]";
    }
}
