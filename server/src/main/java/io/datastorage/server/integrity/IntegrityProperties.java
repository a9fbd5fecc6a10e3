package io.datastorage.server.integrity;

import io.datastorage.core.config.ConfigChecks;
import io.datastorage.core.config.InvalidConfigException;
import io.datastorage.core.integrity.ChainHasher;
import io.datastorage.server.config.DatastorageProperties;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

import static io.datastorage.core.config.ConfigChecks.range;

/**
 * The {@code datastorage.integrity.*} settings (docs/configuration.md), bound apart from
 * {@link DatastorageProperties} so the hash chain's settings live with the chain; the write
 * deadline is bound here too, because the sealing delay must not be shorter. A bad value stops
 * start-up with the property, the value (never the key's) and what is allowed.
 */
@ConfigurationProperties("datastorage")
public record IntegrityProperties(@DefaultValue Integrity integrity, @DefaultValue DatastorageProperties.Write write) {
    /** How much longer than the write deadline a record waits before it is sealed. */
    static final Duration UNDO_MARGIN = Duration.ofSeconds(30);

    static final String PREFIX = "datastorage.integrity.";

    /**
     * @param hmacKey      base64 of at least 32 bytes: links are HMAC-SHA256 under it; empty: SHA-256.
     *                     Never logged, never repeated in a message
     * @param sealDelay    how old (since received) a record must be before it is sealed into its chain
     * @param sealInterval how often the sealing job runs (on one replica, under its lease)
     */
    public record Integrity(@DefaultValue("") String hmacKey, @DefaultValue("1m") Duration sealDelay,
                            @DefaultValue("1s") Duration sealInterval) {
        public Integrity {
            range(PREFIX + "seal-delay", sealDelay, Duration.ofSeconds(1), Duration.ofDays(1));
            range(PREFIX + "seal-interval", sealInterval, Duration.ofMillis(100), Duration.ofDays(1));
            ChainHasher.fromBase64Key(PREFIX + "hmac-key", hmacKey); // a bad key stops start-up here
        }

        @Override
        public String toString() { // never the key
            return "Integrity[hmacKey=" + (hmacKey.isBlank() ? "none" : "(set)") + ", sealDelay=" + sealDelay
                    + ", sealInterval=" + sealInterval + "]";
        }
    }

    public IntegrityProperties {
        Duration least = write.deadline().plus(UNDO_MARGIN);
        if (integrity.sealDelay().compareTo(least) < 0) {
            // A write is undone (its index write failed) around its deadline, counted from about when it
            // was received: it must be gone before it is sealed, or the undo is refused and the write
            // answers 500. The margin covers the undo's own statements and lock waits.
            throw new InvalidConfigException(PREFIX + "seal-delay", "must be at least datastorage.write.deadline ("
                    + ConfigChecks.print(write.deadline()) + ") plus " + ConfigChecks.print(UNDO_MARGIN),
                    ConfigChecks.print(integrity.sealDelay()));
        }
    }

    /** The link function the key asks for. */
    ChainHasher hasher() {
        return ChainHasher.fromBase64Key(PREFIX + "hmac-key", integrity.hmacKey());
    }

    Duration sealDelay() {
        return integrity.sealDelay();
    }

    /**
     * How long a record may wait for its link before a verification reports its chain
     * {@code unsealed-too-long}: the delay, one interval and five minutes' margin.
     */
    Duration unsealedLimit() {
        return integrity.sealDelay().plus(integrity.sealInterval()).plus(Duration.ofMinutes(5));
    }
}
