package io.datastorage.server.metrics;

import io.datastorage.store.postgres.PostgresMaintenance;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

/**
 * {@code datastorage_unreadable_records_total}: reads of a stored record whose document could not
 * be read back (a listing or search left it out, a read by id answered with a problem). Any
 * increase needs an operator: the log names each record.
 */
@Component
public class UnreadableRecordsMetric {
    public UnreadableRecordsMetric(PostgresMaintenance store, MeterRegistry registry) {
        FunctionCounter.builder("datastorage.unreadable.records", store, PostgresMaintenance::unreadableRecords)
                .description("Reads of stored records that could not be read back and were left out or reported")
                .register(registry);
    }
}
