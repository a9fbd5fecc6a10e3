package io.datastorage.core.store;

import io.datastorage.core.ManualClock;
import io.datastorage.core.audit.AuditFixtures;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.audit.AuditValidator;
import io.datastorage.core.audit.ValidationPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * What the store role contracts share: a new, empty store per test on a clock the test moves, and
 * records to write. A store is made by extending a role contract and saying how to open one.
 */
public abstract class StoreContract {
    /** Where the clock starts: records are received from then on. */
    protected static final Instant START = Instant.parse("2026-11-20T12:00:00Z");
    protected static final float[] VECTOR = {0.6f, 0.8f, 0f};
    /** The order of PostgreSQL's {@code ORDER BY id} on uuids: their canonical string form. */
    protected static final Comparator<UUID> ID_ORDER = Comparator.comparing(UUID::toString);

    private final ManualClock clock = new ManualClock(START);
    private final AuditValidator validator = new AuditValidator(ValidationPolicy.DEFAULT, clock);
    private final Random random = new Random(5);
    protected StoreRoles store;

    /**
     * A new, empty store whose roles share one set of rows, receiving records at {@code clock}'s
     * time; closed after the test.
     */
    protected abstract StoreRoles openStore(Clock clock);

    @BeforeEach
    void openStore() {
        store = openStore(clock);
    }

    @AfterEach
    void closeStore() throws Exception {
        store.close();
    }

    /** The time records are received at now. */
    protected Instant now() {
        return clock.instant();
    }

    /** Moves the clock on, so what is written next is received later. */
    protected void later() {
        clock.advance(Duration.ofSeconds(1));
    }

    /** A validated remediation named {@code name}, with {@code vector} as its embedding (null: pending). */
    protected NewRecord record(String name, float[] vector) {
        return new NewRecord(validator.validate(AuditKind.REMEDIATION,
                AuditFixtures.remediation(name, "2026-11-20T10:00:00Z")), vector);
    }

    /** A validated record of this body. */
    protected NewRecord record(AuditKind kind, Map<String, Object> body, float[] vector) {
        return new NewRecord(validator.validate(kind, body), vector);
    }

    /** A random vector of four components. */
    protected float[] randomVector() {
        float[] vector = new float[4];
        for (int i = 0; i < vector.length; i++) {
            vector[i] = (float) random.nextGaussian();
        }
        return vector;
    }

    /** Writes without a key or a hook; the receipts. */
    protected List<Receipt> write(NewRecord... records) {
        return store.records().write(List.of(records), null).receipts();
    }

    /**
     * Writes with a hook that indexes the records {@code indexed} accepts, by their position among
     * the records the hook is given (those with an embedding); the receipts.
     */
    protected List<Receipt> write(Predicate<Integer> indexed, NewRecord... records) {
        return store.records().write(List.of(records), null, hooked -> {
            Set<UUID> ids = new HashSet<>();
            for (int i = 0; i < hooked.size(); i++) {
                if (indexed.test(i)) {
                    ids.add(hooked.get(i).id());
                }
            }
            return ids;
        }).receipts();
    }

}
