package io.datastorage.server.metrics;

import io.datastorage.store.postgres.PostgresMaintenance;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code datastorage_unreadable_records_total}: reads of a stored record whose document could not
 * be read back (a listing or search left it out, a read by id answered with a problem), in
 * PostgreSQL or, during a migration, in the legacy store ({@link #legacyUnreadable}). Any
 * increase needs an operator: the log names each record.
 */
@Component
public class UnreadableRecordsMetric {
    private final AtomicLong legacy = new AtomicLong();

    public UnreadableRecordsMetric(PostgresMaintenance store, MeterRegistry registry) {
        FunctionCounter.builder("datastorage.unreadable.records", store, s -> s.unreadableRecords() + legacy.get())
                .description("Reads of stored records that could not be read back and were left out or reported")
                .register(registry);
    }

    /** Counts {@code records} reads of legacy records that could not be read (each logged by the caller or the store). */
    public void legacyUnreadable(long records) {
        legacy.addAndGet(records);
    }
}
